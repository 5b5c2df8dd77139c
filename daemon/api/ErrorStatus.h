#pragma once

#include "http/HttpResponse.h"
#include "shared/Error.h"

// The one place a domain error kind becomes an HTTP status.
int httpStatus(ErrorKind kind);

// {"error": message, "field": field?, "candidates": [...]?} with the kind's status.
HttpResponse errorResponse(const Error &error);
