#include "HttpRouter.h"

void HttpRouter::add(const QByteArray &method, const QString &pattern, Handler handler)
{
    m_routes.append({method, pattern, pattern.split(u'/', Qt::SkipEmptyParts), std::move(handler)});
}

bool HttpRouter::matchPath(const Route &route, const QList<QStringView> &segments,
                           QStringList *args)
{
    args->clear();
    for (qsizetype i = 0; i < route.segments.size(); ++i) {
        const QString &want = route.segments[i];
        if (want.startsWith(QStringLiteral("{*"))) {
            if (i >= segments.size())
                return false;
            QStringList rest;
            for (qsizetype j = i; j < segments.size(); ++j)
                rest.append(segments[j].toString());
            args->append(rest.join(u'/'));
            return true;
        }
        if (i >= segments.size())
            return false;
        if (want.startsWith(u'{')) {
            args->append(segments[i].toString());
            continue;
        }
        if (segments[i] != want)
            return false;
    }
    return route.segments.size() == segments.size();
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
