#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

class QHttpServerRequest;

// What a handler needs of a request, copied out of QHttpServer's object (which is reused
// for the next request on the connection) so handlers may answer later.
struct HttpRequest
{
    QByteArray method;
    QString path;
    QUrlQuery query;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QStringList args; // the path's {placeholders}, in order
    QHostAddress peer;

    QByteArray header(QByteArrayView name) const;
    // True when If-None-Match names etag: the client's copy is current (answer 304).
    bool matchesEtag(const QByteArray &etag) const;
    QString arg(int index) const { return args.value(index); }

    static HttpRequest from(const QHttpServerRequest &request);
};
