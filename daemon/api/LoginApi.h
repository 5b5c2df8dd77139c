#pragma once

#include <functional>

#include <QObject>

#include "http/HttpReply.h"
#include "http/HttpRequest.h"

class Authenticator;
class HttpServer;

// /login: turns a one-time login code (the URL printed at startup) or the token itself into
// a browser session cookie.
class LoginApi : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoginApi)

public:
    // The HTML form for browsers, given what went wrong (empty: none to offer).
    using LoginPage = std::function<QByteArray(const QString &error)>;

    LoginApi(Authenticator &authenticator, LoginPage page, QObject *parent = nullptr);
    void registerRoutes(HttpServer &server);

private:
    void redeemCode(const HttpRequest &request, const HttpReply &reply);
    void postToken(const HttpRequest &request, const HttpReply &reply);

    void refuse(const HttpReply &reply, const QString &error, bool html) const;

    Authenticator &m_auth;
    LoginPage m_page;
};
