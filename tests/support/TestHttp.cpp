#include "TestHttp.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonObject>
#include <QNetworkCookieJar>
#include <QNetworkRequest>
#include <QTcpSocket>
#include <QTimer>

QByteArray HttpResult::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

namespace {
class NoCookies : public QNetworkCookieJar
{
public:
    bool setCookiesFromUrl(const QList<QNetworkCookie> &, const QUrl &) override { return false; }
};
} // namespace

TestHttp::TestHttp()
{
    m_manager.setCookieJar(new NoCookies);
}

HttpResult TestHttp::request(const QByteArray &method, const QUrl &url, const QByteArray &body,
                             const QList<QPair<QByteArray, QByteArray>> &headers, int timeoutMs)
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QNetworkReply *reply = m_manager.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    if (!reply->isFinished())
        loop.exec();
    HttpResult result;
    if (!reply->isFinished()) {
        reply->abort();
        result.error = QStringLiteral("timed out");
    }
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.headers = reply->rawHeaderPairs();
    if (result.error.isEmpty() && reply->error() != QNetworkReply::NoError && result.status == 0)
        result.error = reply->errorString();
    reply->deleteLater();
    return result;
}

QByteArray TestHttp::raw(quint16 port, const QByteArray &bytes, int timeoutMs)
{
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForConnected(timeoutMs))
        return {};
    socket.write(bytes);
    socket.waitForBytesWritten(timeoutMs);
    QByteArray answer;
    QDeadlineTimer deadline(timeoutMs);
    // Done at the end of the first final (not 1xx) answer, or when the server closes.
    const auto complete = [&answer] {
        qsizetype start = 0;
        while (true) {
            const qsizetype end = answer.indexOf("\r\n\r\n", start);
            if (end < 0)
                return false;
            const QByteArray head = answer.mid(start, end - start);
            if (head.startsWith("HTTP/1.1 1")) {
                start = end + 4;
                continue;
            }
            const qsizetype at = head.toLower().indexOf("content-length: ");
            const qint64 length =
                at < 0 ? 0 : head.mid(at + 16, head.indexOf("\r\n", at) - at - 16).toLongLong();
            return answer.size() >= end + 4 + length;
        }
    };
    while (!deadline.hasExpired() && socket.state() == QAbstractSocket::ConnectedState &&
           !complete()) {
        if (socket.waitForReadyRead(
                static_cast<int>(std::max<qint64>(1, deadline.remainingTime()))))
            answer += socket.readAll();
    }
    answer += socket.readAll();
    return answer;
}

HttpResult TestHttp::createSandbox(const QUrl &base, const QString &name, const QString &backend,
                                   const QString &projectDir)
{
    QUrl url = base;
    url.setPath(QStringLiteral("/api/sandboxes"));
    return postJson(url, QJsonDocument(QJsonObject{{QStringLiteral("name"), name},
                                                   {QStringLiteral("backend"), backend},
                                                   {QStringLiteral("project_dir"), projectDir}})
                             .toJson());
}
