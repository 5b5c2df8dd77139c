#pragma once

#include <QString>

// Why an operation was refused or failed, as the HTTP status and {"error","field"} it becomes.
struct ApiError
{
    int status = 500;
    QString message;
    QString field;

    static ApiError badRequest(QString message) { return {400, std::move(message), {}}; }
    static ApiError notFound(QString message) { return {404, std::move(message), {}}; }
    static ApiError conflict(QString message) { return {409, std::move(message), {}}; }
    static ApiError invalid(QString field, QString message)
    {
        return {422, std::move(message), std::move(field)};
    }
    static ApiError internal(QString message) { return {500, std::move(message), {}}; }
    static ApiError storage(QString message) { return {507, std::move(message), {}}; }
};
