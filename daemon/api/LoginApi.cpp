#include "api/LoginApi.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include "api/Authenticator.h"
#include "http/FormData.h"
#include "http/HttpServer.h"

LoginApi::LoginApi(Authenticator &authenticator, LoginPage page, QObject *parent)
    : QObject(parent), m_auth(authenticator), m_page(std::move(page))
{}

void LoginApi::refuse(const HttpReply &reply, const QString &error, bool html) const
{
    const QByteArray page = html && m_page ? m_page(error) : QByteArray();
    if (page.isEmpty())
        reply.send(HttpResponse::error(401, error));
    else
        reply.send(HttpResponse::bytes(page, "text/html; charset=utf-8", 401));
}

void LoginApi::registerRoutes(HttpServer &server)
{
    server.router().add(
        "GET", QStringLiteral("/login"),
        [this](const HttpRequest &request, const HttpReply &reply) { redeemCode(request, reply); },
        RouteFlag::Public);
    server.router().add(
        "POST", QStringLiteral("/login"),
        [this](const HttpRequest &request, const HttpReply &reply) { postToken(request, reply); },
        RouteFlag::Public | RouteFlag::FormPost);
}

void LoginApi::redeemCode(const HttpRequest &request, const HttpReply &reply)
{
    if (!m_auth.enabled()) {
        reply.send(HttpResponse::redirect("/"));
        return;
    }
    const QByteArray code = request.query.queryItemValue(QStringLiteral("code")).toLatin1();
    const bool html = request.header("accept").contains("text/html");
    if (code.isEmpty()) {
        // No error yet: the form (for a browser), or how to log in (for a program).
        const QByteArray page = html && m_page ? m_page({}) : QByteArray();
        if (page.isEmpty())
            refuse(reply,
                   QStringLiteral(
                       "log in with the URL the daemon printed at startup (/login?code=...), "
                       "or POST {\"token\": ...} here"),
                   false);
        else
            reply.send(HttpResponse::bytes(page, "text/html; charset=utf-8"));
        return;
    }
    if (!m_auth.redeemLoginCode(code)) {
        const auto delay = m_auth.recordFailure(request.peer);
        QTimer::singleShot(delay, this, [this, reply, html] {
            refuse(reply,
                   QStringLiteral(
                       "This login code is wrong, used or expired: paste the token, or restart "
                       "the daemon for a new code."),
                   html);
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
    const bool form = !request.header("content-type").startsWith("application/json");
    const QByteArray token = form ? FormData::parse(request.body).value(u"token").toUtf8()
                                  : QJsonDocument::fromJson(request.body)
                                        .object()
                                        .value(QStringLiteral("token"))
                                        .toString()
                                        .toUtf8();
    if (!m_auth.checkToken(token)) {
        const auto delay = m_auth.recordFailure(request.peer);
        QTimer::singleShot(delay, this, [this, reply, form] {
            refuse(reply, QStringLiteral("That is not the token."), form);
        });
        return;
    }
    m_auth.recordSuccess(request.peer);
    HttpResponse response = form ? HttpResponse::redirect("/") : HttpResponse::noContent();
    response.withHeader("Set-Cookie", m_auth.startSession());
    reply.send(response);
}
