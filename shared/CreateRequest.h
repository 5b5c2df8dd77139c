#pragma once

#include <QString>

// The body of POST /api/sandboxes (and of the dashboard's create form).
struct CreateRequest
{
    QString name;
    QString backend;
    QString projectDir;
    bool network = true;
};

// A request field that is missing or invalid, named so clients can show it next to the field.
struct FieldError
{
    QString field; // empty when the body as a whole is malformed
    QString message;
};
