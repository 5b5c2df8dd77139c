#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPair>

// An HTTP answer as a value: status, headers and body.
struct HttpResponse
{
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;

    HttpResponse &withHeader(QByteArray name, QByteArray value)
    {
        headers.append({std::move(name), std::move(value)});
        return *this;
    }

    static HttpResponse json(const QJsonObject &object, int status = 200);
    static HttpResponse json(const QJsonArray &array, int status = 200);
    static HttpResponse error(int status, const QString &message, const QString &field = {});
    static HttpResponse noContent() { return {204, {}, {}, {}}; }
    static HttpResponse notModified(const QByteArray &etag);
    static HttpResponse bytes(QByteArray body, QByteArray contentType, int status = 200);
    static HttpResponse redirect(const QByteArray &location, int status = 303);
};
