#include "Application.h"

#include "api/AccessPolicy.h"
#include "api/JsonApi.h"
#include "api/LogStreamHub.h"
#include "api/LoginApi.h"
#include "capture/CaptureService.h"
#include "http/HttpServer.h"
#include "metrics/ClaudeMetricsReader.h"
#include "metrics/SystemMetricsSampler.h"
#include "sandbox/SandboxManager.h"
#include "sandbox/StateStore.h"
#include "steer/ControlLease.h"
#include "steer/InputAudit.h"
#include "terminal/TerminalHub.h"
#include "web/Dashboard.h"

Application::Application(DaemonConfig config, BackendCatalog catalog, Authenticator authenticator,
                         QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_catalog(std::move(catalog))
    , m_auth(std::move(authenticator))
{
    m_state = std::make_unique<StateStore>(m_config.stateDir);
    m_capture = std::make_unique<CaptureService>(m_config.capture);
    m_sandboxes = std::make_unique<SandboxManager>(
        SandboxManager::Settings{m_config.stateDir, m_config.homeDir, m_config.screenSize,
                                 m_config.screenDepth},
        m_catalog, *m_state);
    connect(m_sandboxes.get(), &SandboxManager::displayUp, m_capture.get(),
            [this](const QString &id, const DisplayEndpoint &endpoint) {
                if (endpoint.display)
                    m_capture->attachXvfb(id, *endpoint.display, endpoint.cookie,
                                          endpoint.clientAuthFile);
                else if (!endpoint.qmpSocket.isEmpty())
                    m_capture->attachQmp(id, endpoint.qmpSocket, endpoint.screendumpFile);
            });
    connect(m_sandboxes.get(), &SandboxManager::displayDown, m_capture.get(),
            [this](const QString &id) { m_capture->detach(id); });
    m_system = std::make_unique<SystemMetricsSampler>(m_config.stateDir);
    m_claude = std::make_unique<ClaudeMetricsReader>(m_config.claudeDir);
    m_logs = std::make_unique<LogStreamHub>();
    QStringList allowedHosts = m_config.allowedHosts;
    if (m_config.listenUnixPath.isEmpty() && !m_config.listenAddress.isLoopback() &&
        m_config.listenAddress != QHostAddress::Any &&
        m_config.listenAddress != QHostAddress::AnyIPv6)
        allowedHosts.append(m_config.listenAddress.toString()); // reached by its own address
    m_http = std::make_unique<HttpServer>(GuardedTcpServer::Settings{});
    m_policy = std::make_unique<AccessPolicy>(
        allowedHosts, m_auth,
        [this](const QString &id) { return m_sandboxes->sandbox(id).has_value(); },
        [this](QByteArrayView method, QStringView path) {
            return m_http->router().flags(method, path);
        });
    m_http->setCommonHeaders(securityHeaders());
    m_http->tcpServer().setPolicy([this](const HttpRequestHead &head, const QHostAddress &peer) {
        return m_policy->check(head, peer);
    });
    m_api = std::make_unique<JsonApi>(JsonApi::Services{m_config.stateDir, m_config.capture,
                                                        *m_sandboxes, *m_capture, *m_system,
                                                        *m_claude, *m_logs, *m_state});
    m_api->registerRoutes(*m_http);
    m_lease = std::make_unique<ControlLease>(std::chrono::seconds(m_config.controlIdleSeconds));
    m_audit = std::make_unique<InputAudit>(m_config.stateDir);
    m_terminals = std::make_unique<TerminalHub>(TerminalHub::Services{
        QStringLiteral("tmux"), m_config.stateDir + QStringLiteral("/run/terminal"), *m_sandboxes,
        *m_lease, *m_audit});
    m_terminals->registerRoutes(*m_http);
    m_login = std::make_unique<LoginApi>(m_auth, [this](const QString &error) {
        return m_dashboard ? m_dashboard->loginPage(error) : QByteArray();
    });
    m_login->registerRoutes(*m_http);
    if (auto dashboard = Dashboard::create({m_config.stateDir, m_config.staticDir, *m_sandboxes,
                                            *m_capture, *m_system, *m_claude})) {
        m_dashboard = std::move(dashboard).value();
        m_dashboard->registerRoutes(*m_http);
    } else {
        m_startupError = dashboard.error();
    }

    connect(
        m_sandboxes.get(), &SandboxManager::sandboxRemoved, m_logs.get(),
        [this](const QString &id) { m_logs->closeSandbox(id, QStringLiteral("sandbox deleted")); });
}

Application::~Application()
{
    // Stop serving first, then the parts the handlers use.
    m_dashboard.reset();
    m_login.reset();
    m_api.reset();
    m_terminals.reset();
    m_http.reset();
    m_logs.reset();
    m_sandboxes.reset();
    m_capture.reset();
}

QByteArray Application::securityHeaders()
{
    return "X-Content-Type-Options: nosniff\r\n"
           "X-Frame-Options: DENY\r\n"
           // Under no-referrer a browser sends "Origin: null" with a form POST; AccessPolicy
           // accepts that only on the two form endpoints: /new carries a CSRF token, and
           // /login needs the secret token itself, which a cross-site page cannot know.
           "Referrer-Policy: no-referrer\r\n"
           // style-src-elem lets in inline <style> elements, and only those: xterm.js's DOM
           // renderer (the dashboard's terminal) injects its colour and cell-size rules that way
           // and cannot take a nonce (xtermjs/xterm.js#4445). Style attributes stay refused.
           "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; "
           "style-src-elem 'self' 'unsafe-inline'; "
           "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri "
           "'none'; "
           "form-action 'self'; object-src 'none'\r\n";
}

void Application::start(const ManagerState &state,
                        std::function<void(Expected<QString, QString>)> ready)
{
    if (!m_startupError.isEmpty()) {
        ready(Unexpected<QString>{m_startupError});
        return;
    }
    m_sandboxes->restore(state, [this, ready = std::move(ready)] {
        if (!m_config.listenUnixPath.isEmpty()) {
            if (auto error = m_http->listenUnix(m_config.listenUnixPath))
                ready(Unexpected<QString>{*error});
            else
                ready(QString(QStringLiteral("unix:") + m_config.listenUnixPath));
            return;
        }
        const auto port = m_http->listen(m_config.listenAddress, m_config.listenPort);
        if (!port) {
            ready(Unexpected<QString>{port.error()});
            return;
        }
        const QHostAddress &address = m_config.listenAddress;
        const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                                 ? u'[' + address.toString() + u']'
                                 : address.toString();
        ready(QStringLiteral("http://%1:%2/").arg(host).arg(*port));
    });
}
