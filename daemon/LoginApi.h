#pragma once

#include <QObject>

#include "HttpReply.h"
#include "HttpRequest.h"

class Authenticator;
class HttpServer;

// /login: turns a one-time login code (the URL printed at startup) or the token itself into
// a browser session cookie.
class LoginApi : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoginApi)

public:
    explicit LoginApi(Authenticator &authenticator, QObject *parent = nullptr);
    void registerRoutes(HttpServer &server);

private:
    void redeemCode(const HttpRequest &request, const HttpReply &reply);
    void postToken(const HttpRequest &request, const HttpReply &reply);

    Authenticator &m_auth;
};
