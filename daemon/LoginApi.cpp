#include "LoginApi.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <QUrlQuery>

#include "Authenticator.h"
#include "HttpServer.h"

LoginApi::LoginApi(Authenticator &authenticator, QObject *parent)
    : QObject(parent), m_auth(authenticator)
{}

void LoginApi::registerRoutes(HttpServer &server)
{
    server.router().add(
        "GET", QStringLiteral("/login"),
        [this](const HttpRequest &request, const HttpReply &reply) { redeemCode(request, reply); });
    server.router().add(
        "POST", QStringLiteral("/login"),
        [this](const HttpRequest &request, const HttpReply &reply) { postToken(request, reply); });
}

void LoginApi::redeemCode(const HttpRequest &request, const HttpReply &reply)
{
    if (!m_auth.enabled()) {
        reply.send(HttpResponse::redirect("/"));
        return;
    }
    const QByteArray code = request.query.queryItemValue(QStringLiteral("code")).toLatin1();
    if (code.isEmpty()) {
        reply.send(HttpResponse::error(
            401, QStringLiteral("log in with the URL the daemon printed at startup "
                                "(/login?code=...), or POST {\"token\": ...} here")));
        return;
    }
    if (!m_auth.redeemLoginCode(code)) {
        const auto delay = m_auth.recordFailure(request.peer);
        QTimer::singleShot(delay, this, [reply] {
            reply.send(HttpResponse::error(
                401, QStringLiteral("this login code is wrong, used or expired; "
                                    "restart the daemon for a new one")));
        });
        return;
    }
    HttpResponse response = HttpResponse::redirect("/");
    response.withHeader("Set-Cookie", m_auth.startSession());
    reply.send(response);
}

void LoginApi::postToken(const HttpRequest &request, const HttpReply &reply)
{
    if (!m_auth.enabled()) {
        reply.send(HttpResponse::noContent());
        return;
    }
    QByteArray token;
    if (request.header("content-type").startsWith("application/json"))
        token = QJsonDocument::fromJson(request.body)
                    .object()
                    .value(QStringLiteral("token"))
                    .toString()
                    .toUtf8();
    else
        token = QUrlQuery(QString::fromUtf8(request.body))
                    .queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded)
                    .toUtf8();
    if (!m_auth.checkToken(token)) {
        const auto delay = m_auth.recordFailure(request.peer);
        QTimer::singleShot(delay, this, [reply] {
            reply.send(HttpResponse::error(401, QStringLiteral("wrong token")));
        });
        return;
    }
    m_auth.recordSuccess(request.peer);
    const bool form = !request.header("content-type").startsWith("application/json");
    HttpResponse response = form ? HttpResponse::redirect("/") : HttpResponse::noContent();
    response.withHeader("Set-Cookie", m_auth.startSession());
    reply.send(response);
}
