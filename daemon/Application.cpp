#include "Application.h"

#include "AccessPolicy.h"
#include "CaptureService.h"
#include "ClaudeMetricsReader.h"
#include "HttpServer.h"
#include "JsonApi.h"
#include "LogStreamHub.h"
#include "SandboxManager.h"
#include "StateStore.h"
#include "SystemMetricsSampler.h"

Application::Application(DaemonConfig config, BackendCatalog catalog, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_catalog(std::move(catalog))
{
    m_state = std::make_unique<StateStore>(m_config.stateDir);
    m_capture = std::make_unique<CaptureService>(m_config.capture);
    m_sandboxes = std::make_unique<SandboxManager>(m_config, m_catalog, *m_state, *m_capture);
    m_system = std::make_unique<SystemMetricsSampler>(m_config.stateDir);
    m_claude = std::make_unique<ClaudeMetricsReader>(m_config.claudeDir);
    m_logs = std::make_unique<LogStreamHub>();
    m_policy = std::make_unique<AccessPolicy>(
        [this](const QString &id) { return m_sandboxes->sandbox(id).has_value(); });

    m_http = std::make_unique<HttpServer>(GuardedTcpServer::Settings{});
    m_http->setCommonHeaders(securityHeaders());
    m_http->tcpServer().setPolicy([this](const HttpRequestHead &head, const QHostAddress &peer) {
        return m_policy->check(head, peer);
    });
    m_api = std::make_unique<JsonApi>(JsonApi::Services{m_config, *m_sandboxes, *m_capture,
                                                        *m_system, *m_claude, *m_logs, *m_state});
    m_api->registerRoutes(*m_http);

    connect(
        m_sandboxes.get(), &SandboxManager::sandboxRemoved, m_logs.get(),
        [this](const QString &id) { m_logs->closeSandbox(id, QStringLiteral("sandbox deleted")); });
}

Application::~Application()
{
    // Stop serving first, then the parts the handlers use.
    m_api.reset();
    m_http.reset();
    m_logs.reset();
    m_sandboxes.reset();
    m_capture.reset();
}

QByteArray Application::securityHeaders()
{
    return "X-Content-Type-Options: nosniff\r\n"
           "X-Frame-Options: DENY\r\n"
           "Referrer-Policy: no-referrer\r\n"
           "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; "
           "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri "
           "'none'; "
           "form-action 'self'; object-src 'none'\r\n";
}

void Application::start(const ManagerState &state,
                        std::function<void(Expected<quint16, QString>)> ready)
{
    m_sandboxes->restore(state, [this, ready = std::move(ready)] {
        ready(m_http->listen(m_config.listenAddress, m_config.listenPort));
    });
}
