#include "web/CsrfGuard.h"

#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

#include "http/HttpRequest.h"

namespace {

constexpr int SessionBytes = 32;
constexpr auto Base64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

QByteArray randomBytes(int count)
{
    QByteArray bytes(count, Qt::Uninitialized);
    QRandomGenerator::system()->generate(bytes.begin(), bytes.end());
    return bytes;
}

bool isSessionId(QByteArrayView value)
{
    // 32 random bytes in unpadded base64url.
    if (value.size() != 43)
        return false;
    for (const char c : value) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

bool equalInConstantTime(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

} // namespace

CsrfGuard::CsrfGuard() : m_secret(randomBytes(SessionBytes)) {}

CsrfGuard::CsrfGuard(QByteArray secret) : m_secret(std::move(secret)) {}

QByteArray CsrfGuard::cookieValue(const QByteArray &cookieHeader, QByteArrayView name)
{
    // Duplicate Cookie headers arrive joined with ", " (QHttpServer 6.4).
    for (const QByteArray &header : cookieHeader.split(',')) {
        for (const QByteArray &pair : header.split(';')) {
            const qsizetype equals = pair.indexOf('=');
            if (equals < 0)
                continue;
            if (pair.left(equals).trimmed() == name)
                return pair.mid(equals + 1).trimmed();
        }
    }
    return {};
}

CsrfGuard::Session CsrfGuard::session(const HttpRequest &request) const
{
    const QByteArray id = cookieValue(request.header("cookie"), CookieName);
    if (isSessionId(id))
        return {id, false};
    return {randomBytes(SessionBytes).toBase64(Base64Url), true};
}

QString CsrfGuard::token(const Session &session) const
{
    const QByteArray mac =
        QMessageAuthenticationCode::hash(session.id, m_secret, QCryptographicHash::Sha256);
    return QString::fromLatin1(mac.toBase64(Base64Url));
}

QByteArray CsrfGuard::setCookie(const Session &session)
{
    return CookieName.toByteArray() + '=' + session.id + "; Path=/; HttpOnly; SameSite=Strict";
}

bool CsrfGuard::verify(const HttpRequest &request, const QString &submitted) const
{
    const Session current = session(request);
    if (current.isNew || submitted.isEmpty())
        return false;
    return equalInConstantTime(token(current).toLatin1(), submitted.toLatin1());
}
