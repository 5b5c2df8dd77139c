#pragma once

#include <memory>

#include <QObject>

#include "http/HttpReply.h"
#include "http/HttpRequest.h"
#include "http/StaticFiles.h"
#include "shared/Expected.h"
#include "web/CsrfGuard.h"
#include "web/DashboardView.h"

class CaptureService;
class ClaudeMetricsReader;
class HttpServer;
class SandboxManager;
class SystemMetricsSampler;

// The web dashboard: server-rendered pages and htmx fragments on the reference's URLs, the
// dashboard's own htmx actions, and the static assets. One member function per endpoint.
class Dashboard : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Dashboard)

public:
    static constexpr const char *TemplateDirectory = ":/web/templates";
    static constexpr const char *StaticDirectory = ":/web/static";
    static constexpr const char *DemoBackend = "demo";

    struct Services
    {
        QString stateDir;
        QString staticDir;
        SandboxManager &sandboxes;
        CaptureService &capture;
        SystemMetricsSampler &system;
        ClaudeMetricsReader &claude;
    };

    // Fails when a template is missing or does not parse: the daemon must not start then.
    static Expected<std::unique_ptr<Dashboard>, QString>
    create(Services services,
           const QString &templateDirectory = QString::fromLatin1(TemplateDirectory));

    void registerRoutes(HttpServer &server);
    // The token form of /login (token auth), with what went wrong last time.
    QByteArray loginPage(const QString &error) const;
    // Where the demo sandbox's project dir lives: <state dir>/demo.
    QString demoProjectDir() const;

private:
    Dashboard(Services services, DashboardView view);

    // pages
    void index(const HttpRequest &request, const HttpReply &reply);
    void newForm(const HttpRequest &request, const HttpReply &reply);
    void createFromForm(const HttpRequest &request, const HttpReply &reply);
    void sandboxPage(const HttpRequest &request, const HttpReply &reply);
    // fragments, polled by the pages
    void sandboxListFragment(const HttpRequest &request, const HttpReply &reply);
    void systemMetricsFragment(const HttpRequest &request, const HttpReply &reply);
    void claudeMetricsFragment(const HttpRequest &request, const HttpReply &reply);
    void screenshotFragment(const HttpRequest &request, const HttpReply &reply);
    void summaryFragment(const HttpRequest &request, const HttpReply &reply);
    // htmx actions: answer with the fragment to show next
    void stopAction(const HttpRequest &request, const HttpReply &reply);
    void startAction(const HttpRequest &request, const HttpReply &reply);
    void deleteAction(const HttpRequest &request, const HttpReply &reply);
    void startDemo(const HttpRequest &request, const HttpReply &reply);
    // assets
    void staticFile(const HttpRequest &request, const HttpReply &reply);

    DashboardView::Page page(const CsrfGuard::Session &session) const;
    QList<DashboardView::Backend> backends() const;
    void sendPage(const HttpReply &reply, const CsrfGuard::Session &session, QByteArray body,
                  int status = 200) const;
    void sendNewForm(const HttpRequest &request, const HttpReply &reply,
                     const DashboardView::Form &form, int status) const;
    bool requireHtmx(const HttpRequest &request, const HttpReply &reply) const;
    bool demoAvailable() const;

    Services m_services;
    DashboardView m_view;
    StaticFiles m_static;
    CsrfGuard m_csrf;
};
