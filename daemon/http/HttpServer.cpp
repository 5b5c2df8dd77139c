#include "http/HttpServer.h"

#include <QLoggingCategory>
#include <QWebSocket>

Q_LOGGING_CATEGORY(lcHttp, "manager.http")

HttpServer::HttpServer(GuardedTcpServer::Settings settings, QObject *parent)
    : QObject(parent), m_tcp(new GuardedTcpServer(settings, this))
{
    m_tcp->setHttpServer(&m_server);
    // Routing is ours (explicit methods, 405s, {*rest} paths); QHttpServer hands every
    // request that no QHttpServer route claims to this one handler.
    m_server.setMissingHandler(
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            dispatch(request, std::move(responder));
        });
}

void HttpServer::setCommonHeaders(const QByteArray &headers)
{
    m_commonHeaders = headers;
    m_tcp->setExtraResponseHeaders(headers);
}

void HttpServer::dispatch(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    HttpRequest copy = HttpRequest::from(request);
    HttpReply reply(std::move(responder), m_commonHeaders, copy.method == "HEAD");
    const HttpRouter::Match match = m_router.match(copy.method, copy.path);
    if (!match.handler) {
        if (!match.allowedMethods.isEmpty()) {
            HttpResponse response =
                HttpResponse::error(405, QStringLiteral("%1 is not allowed on %2")
                                             .arg(QString::fromLatin1(copy.method), copy.path));
            response.withHeader("Allow", match.allowedMethods.join(", "));
            reply.send(response);
        } else {
            reply.send(
                HttpResponse::error(404, QStringLiteral("no such endpoint: %1").arg(copy.path)));
        }
        return;
    }
    copy.args = match.args;
    (*match.handler)(copy, reply);
}

void HttpServer::addWebSocketRoute(const QString &pattern, WebSocketHandler handler)
{
    QString expression = QRegularExpression::escape(pattern);
    expression.replace(QRegularExpression::escape(QStringLiteral("<arg>")),
                       QStringLiteral("[^/]+"));
    const bool first = m_webSocketRoutes.isEmpty();
    m_webSocketRoutes.append({QRegularExpression(u'^' + expression + u'$'), std::move(handler)});
    // QHttpServer upgrades only a request whose path matches one of its own routes, and only
    // if the route's handler wrote nothing.
    m_server.route(pattern, [this](const QString &, const QHttpServerRequest &request,
                                   QHttpServerResponder &&responder) {
        if (request.value("upgrade").compare("websocket", Qt::CaseInsensitive) == 0)
            return;
        HttpReply reply(std::move(responder), m_commonHeaders, false);
        reply.send(HttpResponse::error(426, QStringLiteral("this endpoint speaks WebSocket only")));
    });
    if (!first)
        return;
    connect(&m_server, &QHttpServer::newWebSocketConnection, this, [this] {
        while (m_server.hasPendingWebSocketConnections()) {
            std::unique_ptr<QWebSocket> socket = m_server.nextPendingWebSocketConnection();
            if (!socket)
                continue;
            const QString path = socket->requestUrl().path();
            for (const WebSocketRoute &route : std::as_const(m_webSocketRoutes)) {
                if (route.path.match(path).hasMatch()) {
                    route.handler(std::move(socket));
                    break;
                }
            }
            if (socket) // no route: refused
                socket->close(QWebSocketProtocol::CloseCodePolicyViolated);
        }
    });
}

std::optional<QString> HttpServer::listenUnix(const QString &path)
{
    QString error;
    if (!m_tcp->listenUnix(path, &error))
        return error;
    // QHttpServer warns that the (TCP side of the) server does not listen; here that is the point.
    static QLoggingCategory::CategoryFilter previous = nullptr;
    previous = QLoggingCategory::installFilter([](QLoggingCategory *category) {
        if (qstrcmp(category->categoryName(), "qt.httpserver") == 0)
            category->setEnabled(QtWarningMsg, false);
        else if (previous)
            previous(category);
    });
    m_server.bind(m_tcp);
    QLoggingCategory::installFilter(previous);
    return std::nullopt;
}

Expected<quint16, QString> HttpServer::listen(const QHostAddress &address, quint16 port)
{
    m_tcp->setListenBacklogSize(GuardedTcpServer::ListenBacklog);
    if (!m_tcp->listen(address, port))
        return QStringLiteral("cannot listen on %1:%2: %3")
            .arg(address.toString())
            .arg(port)
            .arg(m_tcp->errorString());
    m_server.bind(m_tcp);
    return m_tcp->serverPort();
}
