#include "AccessPolicy.h"

#include "JsonApi.h"

AccessPolicy::AccessPolicy(SandboxExists sandboxExists) : m_sandboxExists(std::move(sandboxExists))
{}

std::optional<HttpRequestScanner::Rejection> AccessPolicy::check(const HttpRequestHead &head,
                                                                 const QHostAddress &) const
{
    if (head.isWebSocketUpgrade() || head.has("upgrade")) {
        // QHttpServer 6.4 would upgrade any matching route: only the log stream may switch.
        const QString id = JsonApi::webSocketSandboxId(QString::fromUtf8(head.path()));
        if (id.isEmpty() || !head.isWebSocketUpgrade())
            return HttpRequestScanner::Rejection{400, "upgrades are accepted only to WebSocket on "
                                                      "/ws/sandboxes/<id>/logs"};
        if (head.method != "GET")
            return HttpRequestScanner::Rejection{400, "a WebSocket upgrade must be a GET"};
        if (!m_sandboxExists(id))
            return HttpRequestScanner::Rejection{404, "no such sandbox"};
    }
    return std::nullopt;
}
