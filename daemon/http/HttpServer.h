#pragma once

#include <functional>
#include <memory>

#include <QHostAddress>
#include <QHttpServer>
#include <QObject>
#include <QRegularExpression>

#include "http/GuardedTcpServer.h"
#include "http/HttpRouter.h"
#include "shared/Expected.h"

class QWebSocket;

// Our one wrapper around QHttpServer (a technical preview in Qt 6.4 whose API changes later):
// every request goes through the GuardedTcpServer, our route table and HttpReply.
class HttpServer : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    using WebSocketHandler = std::function<void(std::unique_ptr<QWebSocket>)>;

    explicit HttpServer(GuardedTcpServer::Settings settings, QObject *parent = nullptr);

    HttpRouter &router() { return m_router; }
    GuardedTcpServer &tcpServer() { return *m_tcp; }
    // Headers added to every answer (security headers), as "Name: value\r\n" lines.
    void setCommonHeaders(const QByteArray &headers);
    // A WebSocket endpoint; pattern uses QHttpServer's <arg> syntax, one argument. An
    // upgraded socket goes to the route whose pattern its path matches.
    void addWebSocketRoute(const QString &pattern, WebSocketHandler handler);

    Expected<quint16, QString> listen(const QHostAddress &address, quint16 port);
    std::optional<QString> listenUnix(const QString &path);

private:
    void dispatch(const QHttpServerRequest &request, QHttpServerResponder &&responder);

    QHttpServer m_server;
    GuardedTcpServer *m_tcp;
    HttpRouter m_router;
    QByteArray m_commonHeaders;
    struct WebSocketRoute
    {
        QRegularExpression path;
        WebSocketHandler handler;
    };
    QList<WebSocketRoute> m_webSocketRoutes;
};
