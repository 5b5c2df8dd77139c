#include "api/AccessPolicy.h"

#include <QRegularExpression>

#include "api/Authenticator.h"

namespace {

bool isUnsafe(const QByteArray &method)
{
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

QByteArray mediaType(const QByteArray &contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed().toLower();
}

} // namespace

AccessPolicy::AccessPolicy(QStringList allowedHosts, Authenticator &authenticator,
                           SandboxExists sandboxExists, RouteFlagsOf routeFlags)
    : m_allowedHosts(std::move(allowedHosts))
    , m_auth(authenticator)
    , m_sandboxExists(std::move(sandboxExists))
    , m_routeFlags(std::move(routeFlags))
{}

QString AccessPolicy::hostName(const QByteArray &hostHeader)
{
    const QString host = QString::fromLatin1(hostHeader).trimmed().toLower();
    if (host.isEmpty())
        return {};
    if (host.startsWith(u'[')) {
        const qsizetype close = host.indexOf(u']');
        if (close < 0)
            return {};
        const QString rest = host.mid(close + 1);
        if (!rest.isEmpty() && !rest.startsWith(u':'))
            return {};
        return host.mid(1, close - 1);
    }
    const qsizetype colon = host.indexOf(u':');
    if (colon >= 0 && host.indexOf(u':', colon + 1) >= 0)
        return {}; // a bare IPv6 address must be bracketed
    QString name = colon < 0 ? host : host.left(colon);
    if (colon >= 0) {
        bool ok = false;
        const uint port = host.mid(colon + 1).toUInt(&ok);
        if (!ok || port > 65535)
            return {};
    }
    if (name.endsWith(u'.'))
        name.chop(1);
    return name;
}

bool AccessPolicy::isAllowedHost(const QString &host) const
{
    if (host == u"localhost" || host == u"127.0.0.1" || host == u"::1")
        return true;
    return m_allowedHosts.contains(host);
}

std::optional<AccessPolicy::Rejection> AccessPolicy::check(const HttpRequestHead &head,
                                                           const QHostAddress &peer) const
{
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 still says evil.example.
    const auto host = head.single("host");
    if (!host)
        return Rejection{421, "a request must name this server in exactly one Host header"};
    if (!isAllowedHost(hostName(*host)))
        return Rejection{421, "Host \"" + host->left(200) +
                                  "\" is not this server's name: use localhost, "
                                  "127.0.0.1 or [::1] (or add the name to "
                                  "MANAGER_ALLOWED_HOSTS)"};
    if (auto rejection = checkAuth(head, peer))
        return rejection;
    if (head.isWebSocketUpgrade() || head.has("upgrade"))
        return checkWebSocket(head);
    if (isUnsafe(head.method))
        return checkCrossSite(head);
    return std::nullopt;
}

std::optional<AccessPolicy::Rejection> AccessPolicy::checkAuth(const HttpRequestHead &head,
                                                               const QHostAddress &peer) const
{
    if (!m_auth.enabled() ||
        m_routeFlags(head.method, QString::fromLatin1(head.path())).testFlag(RouteFlag::Public))
        return std::nullopt;
    const QByteArray authorization = head.values("authorization").value(0);
    const QByteArray cookies = head.values("cookie").join("; ");
    if (m_auth.isAuthorized(authorization, cookies)) {
        m_auth.recordSuccess(peer);
        return std::nullopt;
    }
    const auto delay = authorization.isEmpty() && cookies.isEmpty() ? std::chrono::milliseconds(0)
                                                                    : m_auth.recordFailure(peer);
    // A browser navigating to a page goes to the login form; programs get a 401.
    const bool navigation =
        head.method == "GET" && head.values("accept").value(0).contains("text/html");
    if (navigation)
        return Rejection{303, "log in first", {{"Location", "/login"}}, delay};
    return Rejection{401,
                     "this server needs a token: send Authorization: Bearer <token> (or log in "
                     "through /login in a browser)",
                     {{"WWW-Authenticate", "Bearer realm=\"claude-sandbox-manager\""}},
                     delay};
}

std::optional<AccessPolicy::Rejection>
AccessPolicy::checkCrossSite(const HttpRequestHead &head) const
{
    const QByteArray ownOrigin = "http://" + head.single("host").value_or(QByteArray()).toLower();
    const auto origin = head.values("origin");
    const auto fetchSite = head.values("sec-fetch-site");
    const QByteArray path = head.path();
    // The HTML forms carry a per-session CSRF token, checked by their handlers. Under
    // Referrer-Policy: no-referrer a browser sends their POSTs with "Origin: null".
    const bool formEndpoint =
        m_routeFlags(head.method, QString::fromLatin1(path)).testFlag(RouteFlag::FormPost);
    const bool nullOrigin = origin.size() == 1 && origin.first() == "null";
    if (!origin.isEmpty() && !(formEndpoint && nullOrigin)) {
        if (origin.size() != 1 || origin.first().toLower() != ownOrigin)
            return Rejection{403, "cross-origin request refused: Origin \"" +
                                      origin.first().left(200) + "\" is not " + ownOrigin};
    } else if (!fetchSite.isEmpty()) {
        const QByteArray site = fetchSite.first().toLower();
        if (site != "same-origin" && site != "none")
            return Rejection{403,
                             "cross-site request refused (Sec-Fetch-Site: " + site.left(50) + ")"};
    }
    if (formEndpoint)
        return std::nullopt;
    // application/json and HX-Request both force a CORS preflight, which no other site passes.
    if (mediaType(head.values("content-type").value(0)) == "application/json" ||
        head.values("hx-request").value(0) == "true")
        return std::nullopt;
    // A request with no body and no browser-only header comes from a program such as
    // `ssh host curl -X POST .../stop` (the reference CLI): browsers always send Origin on
    // these methods.
    const bool hasBody = head.values("content-length").value(0).toLongLong() > 0;
    if (!hasBody && origin.isEmpty() && fetchSite.isEmpty())
        return std::nullopt;
    return Rejection{403, "state-changing requests must send Content-Type: application/json "
                          "(or HX-Request: true)"};
}

std::optional<AccessPolicy::Rejection>
AccessPolicy::checkWebSocket(const HttpRequestHead &head) const
{
    // QHttpServer 6.4 would upgrade any matching route: only the streams may switch.
    const QString id = webSocketSandboxId(QString::fromUtf8(head.path()));
    if (id.isEmpty() || !head.isWebSocketUpgrade())
        return Rejection{400, "upgrades are accepted only to WebSocket on "
                              "/ws/sandboxes/<id>/logs, /terminal or /display"};
    if (head.method != "GET")
        return Rejection{400, "a WebSocket upgrade must be a GET"};
    const auto origin = head.values("origin");
    const QByteArray ownOrigin = "http://" + head.single("host").value_or(QByteArray()).toLower();
    if (!origin.isEmpty() && (origin.size() != 1 || origin.first().toLower() != ownOrigin))
        return Rejection{403, "cross-origin WebSocket refused: Origin \"" +
                                  origin.first().left(200) + "\" is not " + ownOrigin};
    if (!m_sandboxExists(id))
        return Rejection{404, "no such sandbox"};
    return std::nullopt;
}

QString AccessPolicy::webSocketSandboxId(const QString &path)
{
    static const QRegularExpression pattern(
        QStringLiteral("^/ws/sandboxes/([^/]+)/(?:logs|terminal|display)$"));
    const auto match = pattern.match(path);
    return match.hasMatch() ? match.captured(1) : QString();
}
