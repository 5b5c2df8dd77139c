#include "http/HttpResponse.h"

HttpResponse HttpResponse::json(const QJsonObject &object, int status)
{
    return {status, "application/json", QJsonDocument(object).toJson(QJsonDocument::Compact), {}};
}

HttpResponse HttpResponse::json(const QJsonArray &array, int status)
{
    return {status, "application/json", QJsonDocument(array).toJson(QJsonDocument::Compact), {}};
}

HttpResponse HttpResponse::error(int status, const QString &message, const QString &field)
{
    QJsonObject object{{QStringLiteral("error"), message}};
    if (!field.isEmpty())
        object.insert(QStringLiteral("field"), field);
    return json(object, status);
}

HttpResponse HttpResponse::notModified(const QByteArray &etag)
{
    HttpResponse response{304, {}, {}, {}};
    response.withHeader("ETag", etag);
    return response;
}

HttpResponse HttpResponse::bytes(QByteArray body, QByteArray contentType, int status)
{
    return {status, std::move(contentType), std::move(body), {}};
}

HttpResponse HttpResponse::redirect(const QByteArray &location, int status)
{
    HttpResponse response{status, {}, {}, {}};
    response.withHeader("Location", location);
    return response;
}
