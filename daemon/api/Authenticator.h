#pragma once

#include <chrono>
#include <optional>

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QHostAddress>
#include <QSet>
#include <QString>

#include "shared/Expected.h"

// Optional token auth for shared servers (MANAGER_TOKEN_FILE): a bearer token for programs,
// a session cookie for browsers (from a one-time login code printed at startup, or from
// posting the token once), and a growing delay for peers that keep failing.
class Authenticator
{
public:
    static constexpr QByteArrayView CookieName = "csm_session";
    static constexpr int MaxSessions = 1024;
    static constexpr int FreeFailures = 5;
    static constexpr std::chrono::seconds FailureWindow{60};
    static constexpr std::chrono::milliseconds MaxDelay{5000};
    static constexpr std::chrono::hours LoginCodeLifetime{24};

    Authenticator() = default; // no token: everything is allowed
    // Reads the token file: it must be a regular file that no other user can read.
    static Expected<Authenticator, QString> fromTokenFile(const QString &path);
    static Authenticator withToken(const QByteArray &token);

    bool enabled() const { return !m_token.isEmpty(); }
    // True when the Authorization header or the session cookie is valid.
    bool isAuthorized(const QByteArray &authorization, const QByteArray &cookieHeader) const;
    bool checkToken(QByteArrayView candidate) const;

    // A new browser session (after a valid login): the Set-Cookie header value.
    QByteArray startSession();
    // One-time login code for the URL printed at startup; redeemed once.
    QByteArray loginCode() const { return m_loginCode; }
    bool redeemLoginCode(QByteArrayView code);

    // How long to hold back the answer to a peer's next failed attempt.
    std::chrono::milliseconds recordFailure(const QHostAddress &peer);
    void recordSuccess(const QHostAddress &peer);

    static bool constantTimeEquals(QByteArrayView a, QByteArrayView b);
    static QByteArray cookieValue(const QByteArray &cookieHeader, QByteArrayView name);

private:
    struct Failures
    {
        int count = 0;
        QDateTime first;
    };

    QByteArray m_token;
    QByteArray m_loginCode;
    QDateTime m_loginCodeExpiry;
    QSet<QByteArray> m_sessions;
    QList<QByteArray> m_sessionOrder;
    QHash<QString, Failures> m_failures;
};
