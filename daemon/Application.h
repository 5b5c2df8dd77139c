#pragma once

#include <memory>

#include <QObject>

#include "DaemonConfig.h"
#include "api/Authenticator.h"
#include "sandbox/BackendCatalog.h"
#include "shared/Expected.h"
#include "shared/ManagerState.h"

class AccessPolicy;
class CaptureService;
class ControlLease;
class InputAudit;
class ClaudeMetricsReader;
class Dashboard;
class HttpServer;
class JsonApi;
class LoginApi;
class LogStreamHub;
class SandboxManager;
class StateStore;
class SystemMetricsSampler;
class TerminalHub;

// Builds and wires the daemon's parts; main() only parses the command line and runs this.
class Application : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Application)

public:
    Application(DaemonConfig config, BackendCatalog catalog, Authenticator authenticator,
                QObject *parent = nullptr);
    ~Application() override;

    // Takes over the loaded state, then listens; calls ready with where it listens
    // ("http://127.0.0.1:3000/" or "unix:/path") or an error.
    void start(const ManagerState &state, std::function<void(Expected<QString, QString>)> ready);

    static QByteArray securityHeaders();

private:
    DaemonConfig m_config;
    BackendCatalog m_catalog;
    Authenticator m_auth;
    std::unique_ptr<StateStore> m_state;
    std::unique_ptr<CaptureService> m_capture;
    std::unique_ptr<SandboxManager> m_sandboxes;
    std::unique_ptr<SystemMetricsSampler> m_system;
    std::unique_ptr<ClaudeMetricsReader> m_claude;
    std::unique_ptr<LogStreamHub> m_logs;
    std::unique_ptr<ControlLease> m_lease; // one holder per sandbox terminal and display
    std::unique_ptr<InputAudit> m_audit;
    std::unique_ptr<TerminalHub> m_terminals;
    std::unique_ptr<AccessPolicy> m_policy;
    std::unique_ptr<HttpServer> m_http;
    std::unique_ptr<JsonApi> m_api;
    std::unique_ptr<LoginApi> m_login;
    std::unique_ptr<Dashboard> m_dashboard;
    QString m_startupError;
};
