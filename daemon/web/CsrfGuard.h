#pragma once

#include <QByteArray>
#include <QString>

struct HttpRequest;

// Guards the dashboard's HTML forms against cross-site submission. A browser session is a
// random id in the csm_csrf cookie (HttpOnly, SameSite=Strict); each form carries a token
// derived from that id with the daemon's secret (HMAC-SHA256). Another site can neither read
// the cookie nor compute the token, and a cookie planted by someone else fails without the
// secret. The secret lives in memory: after a restart, open forms are refused once and come
// back with a fresh token.
class CsrfGuard
{
public:
    static constexpr QByteArrayView CookieName = "csm_csrf";
    static constexpr QByteArrayView FieldName = "csrf_token";

    struct Session
    {
        QByteArray id;
        bool isNew = false; // not from the request: send setCookie()
    };

    CsrfGuard();
    explicit CsrfGuard(QByteArray secret);

    // The request's session, or a new one when it has no valid cookie.
    Session session(const HttpRequest &request) const;
    QString token(const Session &session) const;
    // The Set-Cookie value that starts a new session.
    static QByteArray setCookie(const Session &session);
    // Whether submitted is the token of the request's own (existing) session.
    bool verify(const HttpRequest &request, const QString &submitted) const;

    static QByteArray cookieValue(const QByteArray &cookieHeader, QByteArrayView name);

private:
    QByteArray m_secret;
};
