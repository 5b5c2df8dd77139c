#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPair>
#include <QUrl>

// Blocking HTTP for tests (the event loop keeps running while waiting).
struct HttpResult
{
    int status = 0; // 0: no HTTP answer
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;
    QString error;

    QByteArray header(QByteArrayView name) const;
    QJsonDocument json() const { return QJsonDocument::fromJson(body); }
};

class TestHttp
{
public:
    TestHttp(); // keeps no cookies: a test sends the ones it means to
    HttpResult request(const QByteArray &method, const QUrl &url, const QByteArray &body = {},
                       const QList<QPair<QByteArray, QByteArray>> &headers = {},
                       int timeoutMs = 30000);
    HttpResult get(const QUrl &url, const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        return request("GET", url, {}, headers);
    }
    HttpResult postJson(const QUrl &url, const QByteArray &json)
    {
        return request("POST", url, json, {{"Content-Type", "application/json"}});
    }
    // POST /api/sandboxes to the daemon at `base` (http://host:port).
    HttpResult createSandbox(const QUrl &base, const QString &name, const QString &backend,
                             const QString &projectDir);

    // Writes bytes on a fresh TCP connection and returns everything read until the server
    // closes it or the timeout passes.
    static QByteArray raw(quint16 port, const QByteArray &bytes, int timeoutMs = 5000);

private:
    QNetworkAccessManager m_manager;
};
