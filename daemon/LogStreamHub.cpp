#include "LogStreamHub.h"

#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>
#include <QWebSocket>

#include "LogTail.h"

Q_LOGGING_CATEGORY(lcLogs, "manager.logs")

LogStreamHub::LogStreamHub(QObject *parent) : QObject(parent)
{
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, &LogStreamHub::onFileChanged);
}

LogStreamHub::~LogStreamHub()
{
    for (Client *client : std::as_const(m_clients)) {
        client->socket->disconnect(this);
        delete client->socket;
        delete client;
    }
}

void LogStreamHub::addClient(std::unique_ptr<QWebSocket> owned, const QString &sandboxId,
                             const QString &logPath)
{
    QWebSocket *socket = owned.release();
    socket->setParent(this);
    socket->setMaxAllowedIncomingMessageSize(MaxIncomingMessage);
    socket->setMaxAllowedIncomingFrameSize(MaxIncomingMessage);

    auto *client = new Client;
    client->socket = socket;
    client->sandboxId = sandboxId;
    client->path = logPath;
    m_clients.insert(socket, client);
    connect(socket, &QWebSocket::disconnected, this, [this, socket] { removeClient(socket); });
    // Clients have nothing to say; whatever they send is read and dropped.
    connect(socket, &QWebSocket::textMessageReceived, this, [] {});

    // The backlog ends on a whole UTF-8 character; the live stream carries on from there.
    const qint64 size = QFileInfo(logPath).size();
    QByteArray backlog = LogTail::lastLines(logPath, BacklogLines, size);
    const qsizetype complete = LogTail::completeUtf8Length(backlog);
    client->offset = size - (backlog.size() - complete);
    backlog.truncate(complete);
    if (!backlog.isEmpty())
        socket->sendTextMessage(client->decoder.decode(backlog));

    if (!m_watcher.files().contains(logPath)) {
        if (!QFileInfo::exists(logPath)) {
            QFile touch(logPath);
            touch.open(QIODevice::Append);
            touch.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        }
        m_watcher.addPath(logPath);
    }
    pump(client); // bytes written between the backlog read and the watch
}

void LogStreamHub::removeClient(QWebSocket *socket)
{
    Client *client = m_clients.take(socket);
    if (!client)
        return;
    const QString path = client->path;
    delete client;
    socket->deleteLater();
    const bool watched = std::any_of(m_clients.cbegin(), m_clients.cend(),
                                     [&](const Client *c) { return c->path == path; });
    if (!watched)
        m_watcher.removePath(path);
}

void LogStreamHub::closeSandbox(const QString &sandboxId, const QString &reason)
{
    const auto clients = m_clients;
    for (Client *client : clients) {
        if (client->sandboxId == sandboxId)
            client->socket->close(QWebSocketProtocol::CloseCodeNormal, reason);
    }
}

void LogStreamHub::onFileChanged(const QString &path)
{
    for (Client *client : std::as_const(m_clients)) {
        if (client->path == path)
            pump(client);
    }
    // inotify drops a watch when the file is replaced; watch the new one.
    if (QFileInfo::exists(path) && !m_watcher.files().contains(path))
        m_watcher.addPath(path);
}

void LogStreamHub::pump(Client *client)
{
    QWebSocket *socket = client->socket;
    if (socket->bytesToWrite() > MaxClientBacklog) {
        qCWarning(lcLogs) << "log client of sandbox" << client->sandboxId
                          << "is not reading; closing it";
        socket->close(QWebSocketProtocol::CloseCodeTooMuchData, QStringLiteral("client too slow"));
        return;
    }
    QFile file(client->path);
    if (!file.open(QIODevice::ReadOnly))
        return;
    if (file.size() < client->offset)
        client->offset = 0; // truncated: start over
    if (file.size() == client->offset)
        return;
    file.seek(client->offset);
    const QByteArray data = file.read(ReadChunk);
    client->offset += data.size();
    const QString text = client->decoder.decode(data);
    if (!text.isEmpty())
        socket->sendTextMessage(text);
    // More than one chunk waiting: continue after other events had their turn.
    if (client->offset < file.size() && !client->readScheduled) {
        client->readScheduled = true;
        QPointer<QWebSocket> guard(socket);
        QTimer::singleShot(0, this, [this, guard] {
            if (!guard)
                return;
            Client *c = m_clients.value(guard.data());
            if (!c)
                return;
            c->readScheduled = false;
            pump(c);
        });
    }
}
