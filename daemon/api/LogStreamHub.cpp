#include "api/LogStreamHub.h"

#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QTimer>
#include <QWebSocket>

#include "metrics/LogTail.h"

Q_LOGGING_CATEGORY(lcLogs, "manager.logs")

LogStreamHub::LogStreamHub(QObject *parent) : QObject(parent)
{
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, &LogStreamHub::onFileChanged);
}

LogStreamHub::~LogStreamHub()
{
    for (Client *client : std::as_const(m_clients)) {
        if (client->connection)
            client->connection->disconnect(this);
        delete client;
    }
    m_clients.clear();
}

LogStreamHub::Client *LogStreamHub::add(QObject *connection, const QString &sandboxId,
                                        const QString &logPath)
{
    auto *client = new Client;
    client->connection = connection;
    client->sandboxId = sandboxId;
    client->path = logPath;
    m_clients.insert(connection, client);
    connect(connection, &QObject::destroyed, this,
            [this, connection] { removeClient(connection); });
    return client;
}

void LogStreamHub::watch(const QString &path)
{
    if (m_watcher.files().contains(path))
        return;
    if (!QFileInfo::exists(path)) {
        QFile touch(path);
        touch.open(QIODevice::Append);
        touch.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    m_watcher.addPath(path);
}

void LogStreamHub::addClient(std::unique_ptr<QWebSocket> owned, const QString &sandboxId,
                             const QString &logPath)
{
    QWebSocket *socket = owned.release();
    socket->setParent(this);
    socket->setMaxAllowedIncomingMessageSize(MaxIncomingMessage);
    socket->setMaxAllowedIncomingFrameSize(MaxIncomingMessage);
    Client *client = add(socket, sandboxId, logPath);
    client->send = [socket](const QString &text) { socket->sendTextMessage(text); };
    client->pending = [socket] { return socket->bytesToWrite(); };
    client->close = [socket](const QString &reason) {
        socket->close(QWebSocketProtocol::CloseCodeNormal, reason);
    };
    connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
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
    watch(logPath);
    pump(client); // bytes written between the backlog read and the watch
}

void LogStreamHub::addFollower(const HttpReply &reply, const QString &sandboxId,
                               const QString &logPath, std::optional<int> tailLines)
{
    HttpResponse head = HttpResponse::bytes({}, "text/plain; charset=utf-8");
    head.withHeader("Cache-Control", "no-cache");
    QObject *connection = reply.beginChunked(head);
    if (!connection)
        return;
    Client *client = add(connection, sandboxId, logPath);
    client->send = [reply](const QString &text) { reply.writeChunk(text.toUtf8()); };
    client->pending = [reply] { return reply.pendingBytes(); };
    client->close = [reply](const QString &) { reply.endChunked(); };
    const qint64 size = QFileInfo(logPath).size();
    if (tailLines) {
        const QByteArray tail = LogTail::lastLines(logPath, *tailLines, size);
        client->offset = size - tail.size();
    }
    watch(logPath);
    pump(client);
}

void LogStreamHub::removeClient(QObject *connection)
{
    Client *client = m_clients.take(connection);
    if (!client)
        return;
    const QString path = client->path;
    delete client;
    const bool watched = std::any_of(m_clients.cbegin(), m_clients.cend(),
                                     [&](const Client *c) { return c->path == path; });
    if (!watched)
        m_watcher.removePath(path);
}

void LogStreamHub::closeSandbox(const QString &sandboxId, const QString &reason)
{
    const auto clients = m_clients;
    for (Client *client : clients) {
        if (client->sandboxId == sandboxId && client->connection)
            client->close(reason);
    }
}

void LogStreamHub::onFileChanged(const QString &path)
{
    const auto clients = m_clients;
    for (Client *client : clients) {
        if (client->path == path)
            pump(client);
    }
    // inotify drops a watch when the file is replaced; watch the new one.
    if (QFileInfo::exists(path) && !m_watcher.files().contains(path))
        m_watcher.addPath(path);
}

void LogStreamHub::pump(Client *client)
{
    if (!client->connection)
        return;
    if (client->pending() > MaxClientBacklog) {
        qCWarning(lcLogs) << "log reader of sandbox" << client->sandboxId
                          << "is not reading; closing it";
        client->close(QStringLiteral("client too slow"));
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
        client->send(text);
    // More than one chunk waiting: continue after other events had their turn.
    if (client->offset < file.size() && !client->readScheduled) {
        client->readScheduled = true;
        QPointer<QObject> guard(client->connection);
        QTimer::singleShot(0, this, [this, guard] {
            Client *c = guard ? m_clients.value(guard.data()) : nullptr;
            if (!c)
                return;
            c->readScheduled = false;
            pump(c);
        });
    }
}
