#pragma once

#include <functional>
#include <optional>

#include <QHostAddress>
#include <QStringList>

#include "http/HttpRequestScanner.h"
#include "http/RouteFlags.h"

class Authenticator;

// Decides, from a request's raw head, whether it may reach a handler at all: the Host
// allow-list (DNS rebinding), cross-site rules for state-changing requests and WebSocket
// upgrades, and token auth. See docs/SECURITY.md for each rule and its test.
class AccessPolicy
{
public:
    using SandboxExists = std::function<bool(const QString &id)>;
    // The flags of the route a request would reach (HttpRouter::flags).
    using RouteFlagsOf = std::function<RouteFlags(QByteArrayView method, QStringView path)>;
    using Rejection = HttpRequestScanner::Rejection;

    AccessPolicy(QStringList allowedHosts, Authenticator &authenticator,
                 SandboxExists sandboxExists, RouteFlagsOf routeFlags);

    std::optional<Rejection> check(const HttpRequestHead &head, const QHostAddress &peer) const;

    // The host part of a Host header ("[::1]:3000" -> "::1"), lower-cased; empty if malformed.
    static QString hostName(const QByteArray &hostHeader);
    bool isAllowedHost(const QString &host) const;
    // The sandbox id of a stream's path (/ws/sandboxes/<id>/logs, …/terminal, …/display), or
    // an empty string.
    static QString webSocketSandboxId(const QString &path);

private:
    std::optional<Rejection> checkCrossSite(const HttpRequestHead &head) const;
    std::optional<Rejection> checkWebSocket(const HttpRequestHead &head) const;
    std::optional<Rejection> checkAuth(const HttpRequestHead &head, const QHostAddress &peer) const;

    QStringList m_allowedHosts;
    Authenticator &m_auth;
    SandboxExists m_sandboxExists;
    RouteFlagsOf m_routeFlags;
};
