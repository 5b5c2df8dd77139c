#pragma once

#include <QFlags>

// What the access rules need to know about a route, beside its method and path.
enum class RouteFlag
{
    Public = 0x1,   // reachable without the token: the login page and its assets
    FormPost = 0x2, // an HTML form's POST that checks its own per-session CSRF token, so
                    // it accepts "Origin: null" (Referrer-Policy: no-referrer)
};
Q_DECLARE_FLAGS(RouteFlags, RouteFlag)
Q_DECLARE_OPERATORS_FOR_FLAGS(RouteFlags)
