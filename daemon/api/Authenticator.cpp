#include "api/Authenticator.h"

#include <sys/stat.h>

#include <QFile>
#include <QRandomGenerator>

namespace {

QByteArray randomHex(int bytes)
{
    QByteArray data(bytes, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(data.data()), bytes / 4);
    return data.toHex();
}

} // namespace

Authenticator Authenticator::withToken(const QByteArray &token)
{
    Authenticator auth;
    auth.m_token = token;
    auth.m_loginCode = randomHex(16);
    auth.m_loginCodeExpiry = QDateTime::currentDateTimeUtc().addSecs(
        std::chrono::duration_cast<std::chrono::seconds>(LoginCodeLifetime).count());
    return auth;
}

Expected<Authenticator, QString> Authenticator::fromTokenFile(const QString &path)
{
    struct stat info
    {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return QStringLiteral("MANAGER_TOKEN_FILE %1: %2").arg(path, qt_error_string(errno));
    if (!S_ISREG(info.st_mode))
        return QStringLiteral("MANAGER_TOKEN_FILE %1 is not a regular file").arg(path);
    if ((info.st_mode & 077) != 0)
        return QStringLiteral("MANAGER_TOKEN_FILE %1 can be read by other users (mode %2); "
                              "chmod 600 it")
            .arg(path)
            .arg(info.st_mode & 0777, 3, 8, QLatin1Char('0'));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("MANAGER_TOKEN_FILE %1: %2").arg(path, file.errorString());
    const QByteArray token = file.read(4096).trimmed();
    if (token.size() < 16)
        return QStringLiteral("MANAGER_TOKEN_FILE %1 holds a token shorter than 16 characters")
            .arg(path);
    if (std::any_of(token.begin(), token.end(), [](char c) { return c <= ' ' || c == 0x7f; }))
        return QStringLiteral("MANAGER_TOKEN_FILE %1: the token must not contain spaces or control "
                              "characters")
            .arg(path);
    return withToken(token);
}

bool Authenticator::constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    // Compare every byte whatever the lengths, so timing reveals neither.
    const qsizetype length = std::max(a.size(), b.size());
    unsigned char difference = a.size() == b.size() ? 0 : 1;
    for (qsizetype i = 0; i < length; ++i) {
        const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
        const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
        difference |= x ^ y;
    }
    return difference == 0;
}

QByteArray Authenticator::cookieValue(const QByteArray &cookieHeader, QByteArrayView name)
{
    for (const QByteArray &part : cookieHeader.split(';')) {
        const QByteArray pair = part.trimmed();
        const qsizetype equals = pair.indexOf('=');
        if (equals > 0 && QByteArrayView(pair).first(equals) == name)
            return pair.mid(equals + 1);
    }
    return {};
}

bool Authenticator::checkToken(QByteArrayView candidate) const
{
    return enabled() && constantTimeEquals(candidate, m_token);
}

bool Authenticator::isAuthorized(const QByteArray &authorization,
                                 const QByteArray &cookieHeader) const
{
    if (!enabled())
        return true;
    if (authorization.startsWith("Bearer ") &&
        checkToken(QByteArrayView(authorization).sliced(7).trimmed()))
        return true;
    const QByteArray session = cookieValue(cookieHeader, CookieName);
    if (session.isEmpty())
        return false;
    // Sessions are random 256-bit values; the set lookup hashes them, so its timing says
    // nothing about how close a guess was.
    return m_sessions.contains(session);
}

QByteArray Authenticator::startSession()
{
    const QByteArray session = randomHex(32);
    m_sessions.insert(session);
    m_sessionOrder.append(session);
    while (m_sessionOrder.size() > MaxSessions)
        m_sessions.remove(m_sessionOrder.takeFirst());
    return CookieName.toByteArray() + '=' + session + "; Path=/; HttpOnly; SameSite=Strict";
}

bool Authenticator::redeemLoginCode(QByteArrayView code)
{
    if (m_loginCode.isEmpty() || QDateTime::currentDateTimeUtc() > m_loginCodeExpiry)
        return false;
    if (!constantTimeEquals(code, m_loginCode))
        return false;
    m_loginCode.clear(); // once
    return true;
}

std::chrono::milliseconds Authenticator::recordFailure(const QHostAddress &peer)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    Failures &failures = m_failures[peer.toString()];
    if (!failures.first.isValid() || failures.first.secsTo(now) > FailureWindow.count())
        failures = {0, now};
    ++failures.count;
    if (failures.count <= FreeFailures)
        return std::chrono::milliseconds(0);
    // 250 ms, 500 ms, 1 s, ... up to 5 s per attempt.
    const int over = std::min(failures.count - FreeFailures - 1, 5);
    return std::min<std::chrono::milliseconds>(std::chrono::milliseconds(250 << over), MaxDelay);
}

void Authenticator::recordSuccess(const QHostAddress &peer)
{
    m_failures.remove(peer.toString());
}
