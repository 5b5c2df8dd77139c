#include "http/GuardedTcpServer.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTcpSocket>
#include <QTimer>

#include "http/HttpStatus.h"

Q_LOGGING_CATEGORY(lcGuard, "manager.http.guard")

struct GuardedTcpServer::Connection
{
    enum class Phase
    {
        Receiving,
        Processing,
        Closing,
        WebSocket
    };

    QTcpSocket *socket = nullptr;
    QHostAddress peer;
    HttpRequestScanner scanner;
    QTimer *deadline = nullptr;
    Phase phase = Phase::Receiving;
    quint64 sequence = 0;
    int pendingRequests = 0; // complete requests QHttpServer has not answered yet
    bool closeAfterResponse = false;
    bool lingering = false; // refused: half-closed, draining what the client still sends
    bool counted = true;    // in m_counted and m_perPeer
    bool receivedAny = false;
};

GuardedTcpServer::GuardedTcpServer(Settings settings, QObject *parent)
    : QTcpServer(parent), m_settings(settings)
{}

GuardedTcpServer::~GuardedTcpServer()
{
    qDeleteAll(m_connections);
    if (m_unixFd >= 0) {
        ::close(m_unixFd);
        ::unlink(QFile::encodeName(m_unixPath).constData());
    }
}

namespace {

// Bytes that arrived but nobody has read yet, in Qt's buffer or still in the kernel's.
bool hasUnreadBytes(QTcpSocket *socket)
{
    if (socket->bytesAvailable() > 0)
        return true;
    int queued = 0;
    return ::ioctl(static_cast<int>(socket->socketDescriptor()), FIONREAD, &queued) == 0 &&
           queued > 0;
}

} // namespace

bool GuardedTcpServer::makeRoomFor(const QHostAddress &peer)
{
    // Over a cap, the oldest connection that is still sending its request (idle keep-alive
    // or slow) makes way: a flood of half-open connections cannot lock real clients out.
    const bool peerFull = m_perPeer.value(peer) >= m_settings.maxConnectionsPerPeer;
    const bool allFull = static_cast<int>(m_counted.size()) >= m_settings.maxConnections;
    if (!peerFull && !allFull)
        return true;
    // Oldest first; one that has sent nothing at all (an open connection doing nothing) goes
    // before one whose request may be waiting to be read, as a client's that connected in
    // the middle of a burst is.
    Connection *victim = nullptr;
    Connection *silent = nullptr;
    for (const auto &[sequence, c] : m_counted) {
        if (c->phase != Connection::Phase::Receiving || c->pendingRequests > 0)
            continue;
        if (peerFull && !allFull && c->peer != peer)
            continue;
        if (!victim)
            victim = c;
        if (!c->receivedAny && !hasUnreadBytes(c->socket)) {
            silent = c;
            break;
        }
    }
    if (silent)
        victim = silent;
    if (!victim)
        return false;
    qCDebug(lcGuard) << "connection limit reached; closing an idle connection from" << victim->peer;
    // No longer counted from now on, though its socket is deleted later.
    uncount(victim);
    victim->phase = Connection::Phase::Closing;
    victim->socket->abort();
    return true;
}

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    if (!makeRoomFor(socket->peerAddress())) {
        qCWarning(lcGuard) << "refusing a connection from" << socket->peerAddress()
                           << ": too many open connections";
        socket->abort();
        socket->deleteLater();
        return;
    }
    // Answers go out at once: Nagle's algorithm would hold the tail of one until the
    // client's delayed ACK (40 ms a request on loopback).
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    // Bounds what a connection can make us hold: one head plus one body.
    socket->setReadBufferSize(m_settings.limits.maxHeadBytes + m_settings.limits.maxBodyBytes +
                              65536);

    auto *connection =
        new Connection{socket, socket->peerAddress(), HttpRequestScanner(m_settings.limits)};
    connection->sequence = ++m_sequence;
    connection->deadline = new QTimer(socket);
    connection->deadline->setSingleShot(true);
    connect(connection->deadline, &QTimer::timeout, socket, [this, connection] {
        if (isStreaming(connection))
            return; // a followed log: open for as long as the client reads it
        if (connection->phase == Connection::Phase::Processing)
            qCWarning(lcGuard) << "no answer within" << m_settings.processingTimeout.count()
                               << "ms; closing the connection from" << connection->peer;
        connection->socket->abort();
    });
    m_connections.insert(socket, connection);
    m_counted.emplace(connection->sequence, connection);
    ++m_perPeer[connection->peer];

    // Connected before QHttpServer sees the socket, so this slot runs before its own.
    connect(socket, &QTcpSocket::readyRead, this, [this, connection] { onReadyRead(connection); });
    connect(socket, &QTcpSocket::bytesWritten, this,
            [this, connection] { onBytesWritten(connection); });
    connect(socket, &QObject::destroyed, this, [this, socket] { forget(socket); });
    armRequestDeadline(connection);
    addPendingConnection(socket);
}

void GuardedTcpServer::forget(QTcpSocket *socket)
{
    Connection *connection = m_connections.take(socket);
    if (!connection)
        return;
    uncount(connection);
    delete connection;
}

void GuardedTcpServer::uncount(Connection *connection)
{
    if (!connection->counted)
        return;
    connection->counted = false;
    m_counted.erase(connection->sequence);
    const auto peer = m_perPeer.find(connection->peer);
    if (peer != m_perPeer.end() && --*peer <= 0)
        m_perPeer.erase(peer);
}

void GuardedTcpServer::armRequestDeadline(Connection *connection)
{
    connection->deadline->start(m_settings.requestTimeout);
}

void GuardedTcpServer::onReadyRead(Connection *connection)
{
    QTcpSocket *socket = connection->socket;
    if (connection->phase == Connection::Phase::Closing) {
        socket->read(socket->bytesAvailable()); // discard: nobody will read it
        return;
    }
    if (connection->phase == Connection::Phase::WebSocket)
        return;

    // Only what QHttpServer has not read yet is new to us.
    const QByteArray data = socket->peek(socket->bytesAvailable());
    if (!data.isEmpty())
        connection->receivedAny = true;
    QByteArrayView rest(data);
    while (!rest.isEmpty()) {
        qsizetype consumed = 0;
        const auto event = connection->scanner.feed(rest, &consumed);
        rest = rest.sliced(consumed);
        switch (event) {
        case HttpRequestScanner::Event::NeedMore:
            break;
        case HttpRequestScanner::Event::Rejected:
            rejectRequest(connection, connection->scanner.rejection());
            return;
        case HttpRequestScanner::Event::Upgraded:
        case HttpRequestScanner::Event::HeadComplete: {
            const HttpRequestHead &head = connection->scanner.head();
            if (m_policy) {
                if (auto rejection = m_policy(head, connection->peer)) {
                    rejectRequest(connection, *rejection);
                    return;
                }
            }
            if (event == HttpRequestScanner::Event::Upgraded) {
                connection->phase = Connection::Phase::WebSocket;
                connection->deadline->stop();
                return;
            }
            if (head.values("expect").contains("100-continue") &&
                connection->scanner.bodyLength() > 0 && rest.isEmpty())
                socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            connection->closeAfterResponse = head.wantsClose();
            if (connection->scanner.bodyLength() == 0) {
                ++connection->pendingRequests;
                connection->phase = Connection::Phase::Processing;
                connection->deadline->start(m_settings.processingTimeout);
            }
            break;
        }
        case HttpRequestScanner::Event::RequestComplete:
            ++connection->pendingRequests;
            connection->phase = Connection::Phase::Processing;
            connection->deadline->start(m_settings.processingTimeout);
            break;
        }
        if (consumed == 0 && event == HttpRequestScanner::Event::NeedMore)
            break;
    }
}

bool GuardedTcpServer::isStreaming(const Connection *connection)
{
    return connection->socket->property(StreamingProperty).toBool();
}

void GuardedTcpServer::onBytesWritten(Connection *connection)
{
    if (isStreaming(connection))
        return;
    if (connection->lingering) {
        if (connection->socket->bytesToWrite() == 0)
            ::shutdown(static_cast<int>(connection->socket->socketDescriptor()), SHUT_WR);
        return;
    }
    // Sending is activity: a long response streamed in chunks keeps its connection.
    if (connection->phase == Connection::Phase::Receiving && !connection->scanner.inRequest())
        armRequestDeadline(connection);
    if (connection->phase != Connection::Phase::Processing ||
        connection->socket->bytesToWrite() > 0)
        return;
    // A response went out completely. QHttpServer answers requests in order, one at a time.
    connection->pendingRequests = std::max(0, connection->pendingRequests - 1);
    if (connection->pendingRequests > 0)
        return;
    if (connection->closeAfterResponse) {
        connection->phase = Connection::Phase::Closing;
        connection->socket->disconnectFromHost();
        return;
    }
    connection->phase = Connection::Phase::Receiving;
    armRequestDeadline(connection);
}

void GuardedTcpServer::rejectRequest(Connection *connection,
                                     const HttpRequestScanner::Rejection &rejection)
{
    QTcpSocket *socket = connection->socket;
    qCDebug(lcGuard) << "refusing a request from" << connection->peer << ":" << rejection.status
                     << rejection.message;
    // Cut QHttpServer off this socket and drop what it buffered, so nothing of the request
    // reaches a handler and nothing more is held.
    if (m_httpServer)
        QObject::disconnect(socket, &QTcpSocket::readyRead, m_httpServer, nullptr);
    if (socket->isTransactionStarted())
        socket->commitTransaction();
    socket->read(socket->bytesAvailable());
    socket->setReadBufferSize(4096);
    connection->phase = Connection::Phase::Closing;

    const QByteArray body =
        QJsonDocument(QJsonObject{{QStringLiteral("error"), QString::fromUtf8(rejection.message)}})
            .toJson(QJsonDocument::Compact);
    QByteArray response =
        "HTTP/1.1 " + QByteArray::number(rejection.status) + ' ' + statusText(rejection.status) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
        "\r\nConnection: close\r\n";
    for (const auto &[name, value] : rejection.headers)
        response += name + ": " + value + "\r\n";
    response += m_extraHeaders + "\r\n" + body;
    const auto answer = [this, connection, response] {
        QTcpSocket *s = connection->socket;
        s->write(response);
        // Lingering close: half-close once the answer is out and read (and drop) whatever
        // the client still sends, so it can finish its upload and read the answer instead
        // of getting a reset. Whoever does not hang up is cut off shortly after.
        connection->lingering = true;
        connection->deadline->start(LingerTime);
        if (s->bytesToWrite() == 0)
            ::shutdown(static_cast<int>(s->socketDescriptor()), SHUT_WR);
    };
    if (rejection.delay.count() > 0) {
        connection->deadline->start(rejection.delay + LingerTime);
        QTimer::singleShot(rejection.delay, socket, answer);
    } else {
        answer();
    }
}

bool GuardedTcpServer::listenUnix(const QString &path, QString *error)
{
    const QByteArray encoded = QFile::encodeName(path);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (encoded.size() >= static_cast<qsizetype>(sizeof address.sun_path)) {
        *error = QStringLiteral("the socket path %1 is too long").arg(path);
        return false;
    }
    memcpy(address.sun_path, encoded.constData(), static_cast<size_t>(encoded.size()));
    struct stat existing
    {};
    if (::lstat(encoded.constData(), &existing) == 0) {
        if (!S_ISSOCK(existing.st_mode)) {
            *error = QStringLiteral("%1 exists and is not a socket").arg(path);
            return false;
        }
        ::unlink(encoded.constData()); // left behind by an earlier run
    }
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        *error = qt_error_string(errno);
        return false;
    }
    // Created 0600 from the start: no moment in which another user could connect.
    const mode_t previous = ::umask(0177);
    const int bound = ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
    const int bindError = errno;
    ::umask(previous);
    if (bound != 0 || ::listen(fd, ListenBacklog) != 0) {
        *error = QStringLiteral("cannot listen on %1: %2")
                     .arg(path, qt_error_string(bound != 0 ? bindError : errno));
        ::close(fd);
        return false;
    }
    m_unixFd = fd;
    m_unixPath = path;
    m_unixNotifier = new QSocketNotifier(fd, QSocketNotifier::Read, this);
    connect(m_unixNotifier, &QSocketNotifier::activated, this, [this] {
        while (true) {
            const int client = ::accept4(m_unixFd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (client < 0)
                return;
            // QTcpSocket runs fine over a Unix stream socket (QLocalSocket does the same).
            incomingConnection(client);
        }
    });
    return true;
}
