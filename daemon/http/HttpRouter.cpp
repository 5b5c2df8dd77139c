#include "http/HttpRouter.h"

void HttpRouter::add(const QByteArray &method, const QString &pattern, Handler handler,
                     RouteFlags flags)
{
    Route route{method, pattern, {}, false, std::move(handler), flags};
    for (const QString &part : pattern.split(u'/', Qt::SkipEmptyParts)) {
        if (part.startsWith(QStringLiteral("{*"))) {
            route.segments.append({Segment::Kind::Rest, {}});
            route.endsWithRest = true;
        } else if (part.startsWith(u'{')) {
            route.segments.append({Segment::Kind::Parameter, {}});
        } else {
            route.segments.append({Segment::Kind::Literal, part});
        }
    }
    m_routes.append(std::move(route));
}

bool HttpRouter::matchPath(const Route &route, const QList<QStringView> &segments,
                           QStringList *args)
{
    if (route.endsWithRest ? segments.size() < route.segments.size()
                           : segments.size() != route.segments.size())
        return false;
    for (qsizetype i = 0; i < route.segments.size(); ++i) {
        const Segment &want = route.segments[i];
        if (want.kind == Segment::Kind::Literal && segments[i] != want.literal)
            return false;
    }
    // Matched: only now collect the arguments.
    args->clear();
    for (qsizetype i = 0; i < route.segments.size(); ++i) {
        const Segment &want = route.segments[i];
        if (want.kind == Segment::Kind::Parameter) {
            args->append(segments[i].toString());
        } else if (want.kind == Segment::Kind::Rest) {
            QStringList rest;
            for (qsizetype j = i; j < segments.size(); ++j)
                rest.append(segments[j].toString());
            args->append(rest.join(u'/'));
        }
    }
    return true;
}

HttpRouter::Match HttpRouter::match(QByteArrayView method, QStringView path) const
{
    const QList<QStringView> segments = path.split(u'/', Qt::SkipEmptyParts);
    Match result;
    QStringList args;
    for (const Route &route : m_routes) {
        if (!matchPath(route, segments, &args))
            continue;
        if (route.method == method || (method == "HEAD" && route.method == "GET")) {
            if (!result.handler || route.method == method) {
                result.handler = &route.handler;
                result.pattern = route.pattern;
                result.flags = route.flags;
                result.args = args;
            }
            continue;
        }
        if (!result.allowedMethods.contains(route.method))
            result.allowedMethods.append(route.method);
    }
    if (result.handler)
        result.allowedMethods.clear();
    return result;
}

RouteFlags HttpRouter::flags(QByteArrayView method, QStringView path) const
{
    const Match found = match(method, path);
    return found.handler ? found.flags : RouteFlags();
}
