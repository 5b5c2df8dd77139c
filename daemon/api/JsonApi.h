#pragma once

#include <memory>

#include <QElapsedTimer>
#include <QObject>

#include "capture/CaptureMethod.h"
#include "http/HttpReply.h"
#include "http/HttpRequest.h"

class CaptureService;
class ClaudeMetricsReader;
class HttpServer;
class LogStreamHub;
class QWebSocket;
class SandboxManager;
class StateStore;
class SystemMetricsSampler;

// The JSON API and the log WebSocket: one member function per endpoint, grouped by resource.
class JsonApi : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JsonApi)

public:
    static constexpr int MaxTailLines = 100000;
    static constexpr qint64 InlineLogBytes = 4 * 1024 * 1024;

    struct Services
    {
        QString stateDir;
        CaptureMethod captureMethod;
        SandboxManager &sandboxes;
        CaptureService &capture;
        SystemMetricsSampler &system;
        ClaudeMetricsReader &claude;
        LogStreamHub &logs;
        StateStore &state;
    };

    explicit JsonApi(Services services, QObject *parent = nullptr);

    void registerRoutes(HttpServer &server);

private:
    // /api/sandboxes
    void listSandboxes(const HttpRequest &request, const HttpReply &reply);
    void createSandbox(const HttpRequest &request, const HttpReply &reply);
    void getSandbox(const HttpRequest &request, const HttpReply &reply);
    void deleteSandbox(const HttpRequest &request, const HttpReply &reply);
    void stopSandbox(const HttpRequest &request, const HttpReply &reply);
    void startSandbox(const HttpRequest &request, const HttpReply &reply);
    void screenshot(const HttpRequest &request, const HttpReply &reply);
    void claudeMetrics(const HttpRequest &request, const HttpReply &reply);
    void logs(const HttpRequest &request, const HttpReply &reply);
    void openLogStream(std::unique_ptr<QWebSocket> socket);
    // /api/metrics
    void systemMetrics(const HttpRequest &request, const HttpReply &reply);
    void systemHistory(const HttpRequest &request, const HttpReply &reply);
    // the daemon itself
    void health(const HttpRequest &request, const HttpReply &reply);
    void backends(const HttpRequest &request, const HttpReply &reply);

    bool requireSandbox(const QString &id, const HttpReply &reply) const;

    Services m_services;
    QElapsedTimer m_uptime;
    QByteArray m_listJson; // GET /api/sandboxes, until a sandbox changes
    QByteArray m_listEtag;
};
