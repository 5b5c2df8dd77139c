#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>

#include <QHash>
#include <QHostAddress>
#include <QPointer>
#include <QTcpServer>

#include "http/HttpRequestScanner.h"

class QSocketNotifier;
class QTcpSocket;
class QTimer;

// The listening socket under QHttpServer. Each connection's bytes pass through an
// HttpRequestScanner before QHttpServer reads them (its readyRead slot runs first), so
// oversized, malformed, slow or unwanted requests are answered and closed before Qt 6.4
// buffers or misparses them. Established WebSocket streams are left alone.
class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GuardedTcpServer)

public:
    static constexpr std::chrono::milliseconds LingerTime{2000};
    // Qt's default of 50 drops connection bursts (clients then retry a second later).
    static constexpr int ListenBacklog = 1024;

    struct Settings
    {
        HttpRequestScanner::Limits limits;
        std::chrono::milliseconds requestTimeout{10000};     // to send one complete request
        std::chrono::milliseconds processingTimeout{120000}; // for us to answer it
        int maxConnectionsPerPeer = 128;
        int maxConnections = 1024;
    };
    // Returns a rejection for a request that must not reach a handler.
    using Policy = std::function<std::optional<HttpRequestScanner::Rejection>(
        const HttpRequestHead &head, const QHostAddress &peer)>;

    explicit GuardedTcpServer(Settings settings, QObject *parent = nullptr);
    ~GuardedTcpServer() override;

    void setPolicy(Policy policy) { m_policy = std::move(policy); }
    // The object QHttpServer connects its readyRead slots with; rejected sockets are cut off it.
    void setHttpServer(QObject *server) { m_httpServer = server; }
    void setExtraResponseHeaders(QByteArray headers) { m_extraHeaders = std::move(headers); }
    int connectionCount() const { return static_cast<int>(m_connections.size()); }
    // Accepts connections on a Unix socket (mode 0600) instead of TCP.
    bool listenUnix(const QString &path, QString *error);
    bool isListeningUnix() const { return m_unixFd >= 0; }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    struct Connection;
    void onReadyRead(Connection *connection);
    void onBytesWritten(Connection *connection);
    void rejectRequest(Connection *connection, const HttpRequestScanner::Rejection &rejection);
    void armRequestDeadline(Connection *connection);
    void forget(QTcpSocket *socket);
    void uncount(Connection *connection);
    static bool isStreaming(const Connection *connection);
    bool makeRoomFor(const QHostAddress &peer);

    Settings m_settings;
    Policy m_policy;
    QPointer<QObject> m_httpServer;
    QByteArray m_extraHeaders;
    QHash<QTcpSocket *, Connection *> m_connections;
    // The connections that count against the caps (not yet closed by us), oldest first, and
    // how many each peer has: a burst of a thousand accepts costs no scan per accept.
    std::map<quint64, Connection *> m_counted;
    QHash<QHostAddress, int> m_perPeer;
    quint64 m_sequence = 0;
    int m_unixFd = -1;
    QString m_unixPath;
    QSocketNotifier *m_unixNotifier = nullptr;
};
