#pragma once

#include <QString>
#include <QStringList>

// What kind of failure an operation met, in the domain's words. The API maps a kind to an
// HTTP status in one place (api/ErrorStatus.h); nothing below it knows about HTTP.
enum class ErrorKind
{
    BadRequest,  // the request cannot be read at all
    Invalid,     // a field has a value that is not allowed (names the field)
    TooLarge,    // a field or body is over its bound (names the field)
    NotFound,    // no such sandbox (candidates lists the ids an ambiguous prefix matches)
    Conflict,    // the sandbox is not in a state that allows this
    Refused,     // allowed in general, not to this caller
    Unavailable, // a tool or service it needs is missing here
    Storage,     // the state could not be written
    Internal,    // anything else
};

// Why an operation was refused or failed.
struct Error
{
    ErrorKind kind = ErrorKind::Internal;
    QString message;
    QString field = {};
    QStringList candidates = {};

    static Error badRequest(QString message) { return {ErrorKind::BadRequest, std::move(message)}; }
    static Error notFound(QString message) { return {ErrorKind::NotFound, std::move(message)}; }
    static Error conflict(QString message) { return {ErrorKind::Conflict, std::move(message)}; }
    static Error invalid(QString field, QString message)
    {
        return {ErrorKind::Invalid, std::move(message), std::move(field)};
    }
    static Error tooLarge(QString field, QString message)
    {
        return {ErrorKind::TooLarge, std::move(message), std::move(field)};
    }
    static Error refused(QString message) { return {ErrorKind::Refused, std::move(message)}; }
    static Error unavailable(QString message)
    {
        return {ErrorKind::Unavailable, std::move(message)};
    }
    static Error internal(QString message) { return {ErrorKind::Internal, std::move(message)}; }
    static Error storage(QString message) { return {ErrorKind::Storage, std::move(message)}; }
};
