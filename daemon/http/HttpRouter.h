#pragma once

#include <functional>

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include "http/HttpReply.h"
#include "http/HttpRequest.h"
#include "http/RouteFlags.h"

// The route table: an explicit method and path pattern per route. Patterns are segments of
// literals, {name} (one segment) and a final {*name} (the rest of the path).
class HttpRouter
{
public:
    using Handler = std::function<void(const HttpRequest &, const HttpReply &)>;

    struct Match
    {
        const Handler *handler = nullptr;
        QString pattern; // of the route that matched
        QStringList args;
        QByteArrayList allowedMethods; // when no handler: the methods the path has
        RouteFlags flags;
    };

    void add(const QByteArray &method, const QString &pattern, Handler handler,
             RouteFlags flags = {});
    Match match(QByteArrayView method, QStringView path) const;
    // The flags of the route a request would reach; none when it reaches no route.
    RouteFlags flags(QByteArrayView method, QStringView path) const;

private:
    struct Segment
    {
        enum class Kind
        {
            Literal,
            Parameter,
            Rest
        };
        Kind kind;
        QString literal;
    };
    struct Route
    {
        QByteArray method;
        QString pattern;
        QList<Segment> segments; // parsed once: matching runs on every request
        bool endsWithRest = false;
        Handler handler;
        RouteFlags flags;
    };
    static bool matchPath(const Route &route, const QList<QStringView> &segments,
                          QStringList *args);

    QList<Route> m_routes;
};
