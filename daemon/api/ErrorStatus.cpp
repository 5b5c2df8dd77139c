#include "api/ErrorStatus.h"

#include <QJsonArray>
#include <QJsonDocument>

int httpStatus(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::BadRequest:
        return 400;
    case ErrorKind::Refused:
        return 403;
    case ErrorKind::NotFound:
        return 404;
    case ErrorKind::Conflict:
        return 409;
    case ErrorKind::TooLarge:
        return 413;
    case ErrorKind::Invalid:
        return 422;
    case ErrorKind::Unavailable:
        return 503;
    case ErrorKind::Storage:
        return 507;
    case ErrorKind::Internal:
        break;
    }
    return 500;
}

HttpResponse errorResponse(const Error &error)
{
    QJsonObject object{{QStringLiteral("error"), error.message}};
    if (!error.field.isEmpty())
        object.insert(QStringLiteral("field"), error.field);
    if (!error.candidates.isEmpty())
        object.insert(QStringLiteral("candidates"), QJsonArray::fromStringList(error.candidates));
    return HttpResponse::json(object, httpStatus(error.kind));
}
