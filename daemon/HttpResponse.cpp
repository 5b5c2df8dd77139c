#include "HttpResponse.h"

#include "JsonCodec.h"

HttpResponse HttpResponse::json(const QJsonObject &object, int status)
{
    return {status, "application/json", QJsonDocument(object).toJson(QJsonDocument::Compact), {}};
}

HttpResponse HttpResponse::json(const QJsonArray &array, int status)
{
    return {status, "application/json", QJsonDocument(array).toJson(QJsonDocument::Compact), {}};
}

HttpResponse HttpResponse::error(const ApiError &error)
{
    return json(JsonCodec::errorToJson(error.message, error.field), error.status);
}

HttpResponse HttpResponse::error(int status, const QString &message)
{
    return json(JsonCodec::errorToJson(message), status);
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
