#include "web/Dashboard.h"
#include "api/ErrorStatus.h"

#include <QCryptographicHash>
#include <QDir>
#include <QLoggingCategory>
#include <QPointer>

#include "capture/CaptureService.h"
#include "http/FormData.h"
#include "http/HttpServer.h"
#include "metrics/ClaudeMetricsReader.h"
#include "metrics/SystemMetricsSampler.h"
#include "sandbox/RequestValidator.h"
#include "sandbox/SandboxManager.h"

Q_LOGGING_CATEGORY(lcDashboard, "manager.dashboard")

namespace {

const QByteArray HtmlType = "text/html; charset=utf-8";

// The assets the page templates link, by the key they use for its ?v= version.
const QList<std::pair<QString, QString>> &pageAssets()
{
    static const QList<std::pair<QString, QString>> assets{
        {QStringLiteral("style"), QStringLiteral("style.css")},
        {QStringLiteral("script"), QStringLiteral("dashboard.js")},
        {QStringLiteral("terminal_js"), QStringLiteral("terminal.js")},
        {QStringLiteral("terminal_css"), QStringLiteral("terminal.css")},
        {QStringLiteral("favicon"), QStringLiteral("favicon.svg")},
        {QStringLiteral("htmx"), QStringLiteral("vendor/htmx/htmx.min.js")},
        {QStringLiteral("xterm_js"), QStringLiteral("vendor/xterm/xterm.js")},
        {QStringLiteral("xterm_css"), QStringLiteral("vendor/xterm/xterm.css")},
        {QStringLiteral("uplot_js"), QStringLiteral("vendor/uplot/uPlot.iife.min.js")},
        {QStringLiteral("uplot_css"), QStringLiteral("vendor/uplot/uPlot.min.css")},
    };
    return assets;
}

// A polled fragment: revalidated on every poll, so an unchanged one costs a 304.
void sendFragment(const HttpRequest &request, const HttpReply &reply, const QByteArray &body,
                  int status = 200)
{
    if (status != 200) {
        reply.send(
            HttpResponse::bytes(body, HtmlType, status).withHeader("Cache-Control", "no-store"));
        return;
    }
    const QByteArray etag =
        '"' + QCryptographicHash::hash(body, QCryptographicHash::Sha1).toHex().left(20) + '"';
    if (request.matchesEtag(etag)) {
        reply.send(HttpResponse::notModified(etag).withHeader("Cache-Control", "no-cache"));
        return;
    }
    reply.send(HttpResponse::bytes(body, HtmlType)
                   .withHeader("ETag", etag)
                   .withHeader("Cache-Control", "no-cache"));
}

QString sandboxGone(const QString &id)
{
    return QStringLiteral("There is no sandbox %1 (any more).").arg(id);
}

} // namespace

Dashboard::Dashboard(Services services, DashboardView view)
    : m_services(services)
    , m_view(std::move(view))
    , m_static(QString::fromLatin1(StaticDirectory), services.staticDir)
{}

Expected<std::unique_ptr<Dashboard>, QString> Dashboard::create(Services services,
                                                                const QString &templateDirectory)
{
    auto view = DashboardView::load(templateDirectory);
    if (!view)
        return view.error();
    return std::unique_ptr<Dashboard>(new Dashboard(services, std::move(view).value()));
}

void Dashboard::registerRoutes(HttpServer &server)
{
    HttpRouter &router = server.router();
    const auto bind = [this](void (Dashboard::*handler)(const HttpRequest &, const HttpReply &)) {
        return [this, handler](const HttpRequest &request, const HttpReply &reply) {
            (this->*handler)(request, reply);
        };
    };
    router.add("GET", QStringLiteral("/"), bind(&Dashboard::index));
    router.add("GET", QStringLiteral("/new"), bind(&Dashboard::newForm));
    router.add("POST", QStringLiteral("/new"), bind(&Dashboard::createFromForm),
               RouteFlag::FormPost);
    router.add("POST", QStringLiteral("/demo"), bind(&Dashboard::startDemo));
    router.add("GET", QStringLiteral("/sandboxes/{id}"), bind(&Dashboard::sandboxPage));
    router.add("DELETE", QStringLiteral("/sandboxes/{id}"), bind(&Dashboard::deleteAction));
    router.add("POST", QStringLiteral("/sandboxes/{id}/stop"), bind(&Dashboard::stopAction));
    router.add("POST", QStringLiteral("/sandboxes/{id}/start"), bind(&Dashboard::startAction));
    router.add("GET", QStringLiteral("/fragments/sandbox-list"),
               bind(&Dashboard::sandboxListFragment));
    router.add("GET", QStringLiteral("/fragments/system-metrics"),
               bind(&Dashboard::systemMetricsFragment));
    router.add("GET", QStringLiteral("/fragments/sandboxes/{id}/claude-metrics"),
               bind(&Dashboard::claudeMetricsFragment));
    router.add("GET", QStringLiteral("/fragments/sandboxes/{id}/screenshot"),
               bind(&Dashboard::screenshotFragment));
    router.add("GET", QStringLiteral("/fragments/sandboxes/{id}/summary"),
               bind(&Dashboard::summaryFragment));
    // The assets are not secret: the login page needs them before there is a session.
    router.add("GET", QStringLiteral("/static/{*path}"), bind(&Dashboard::staticFile),
               RouteFlag::Public);
}

QString Dashboard::demoProjectDir() const
{
    return m_services.stateDir + QStringLiteral("/demo");
}

bool Dashboard::demoAvailable() const
{
    const BackendSpec *spec = m_services.sandboxes.catalog().find(QString::fromLatin1(DemoBackend));
    return spec && !spec->command.isEmpty() &&
           !RequestValidator::resolveProgram(spec->command.first()).isEmpty();
}

DashboardView::Page Dashboard::page(const CsrfGuard::Session &session) const
{
    DashboardView::Page page;
    page.csrfToken = m_csrf.token(session);
    for (const auto &[key, path] : pageAssets())
        page.assetVersions.insert(key, QString::fromLatin1(m_static.version(path)));
    return page;
}

QList<DashboardView::Backend> Dashboard::backends() const
{
    QList<DashboardView::Backend> list;
    for (const BackendSpec &spec : m_services.sandboxes.catalog().backends()) {
        const bool available = !spec.command.isEmpty() &&
                               !RequestValidator::resolveProgram(spec.command.first()).isEmpty();
        list.append({spec, available});
    }
    return list;
}

QByteArray Dashboard::loginPage(const QString &error) const
{
    return m_view.loginPage(page({}), error);
}

void Dashboard::sendPage(const HttpReply &reply, const CsrfGuard::Session &session, QByteArray body,
                         int status) const
{
    HttpResponse response = HttpResponse::bytes(std::move(body), HtmlType, status);
    // Pages carry the form token: never stored by the browser.
    response.withHeader("Cache-Control", "no-store");
    if (session.isNew)
        response.withHeader("Set-Cookie", CsrfGuard::setCookie(session));
    reply.send(response);
}

bool Dashboard::requireHtmx(const HttpRequest &request, const HttpReply &reply) const
{
    // A custom header cannot be sent by another site's form or image: this is the actions'
    // cross-site request guard (the JSON API's equivalent is its JSON content type).
    if (request.header("hx-request") == "true")
        return true;
    reply.send(HttpResponse::error(
        403, QStringLiteral(
                 "dashboard actions need the HX-Request header; scripts use /api/sandboxes")));
    return false;
}

void Dashboard::index(const HttpRequest &request, const HttpReply &reply)
{
    const CsrfGuard::Session session = m_csrf.session(request);
    sendPage(reply, session,
             m_view.indexPage(page(session), m_services.sandboxes.sandboxes(),
                              m_services.capture.store(), demoAvailable(),
                              m_services.system.history()));
}

void Dashboard::newForm(const HttpRequest &request, const HttpReply &reply)
{
    sendNewForm(request, reply, {}, 200);
}

void Dashboard::sendNewForm(const HttpRequest &request, const HttpReply &reply,
                            const DashboardView::Form &form, int status) const
{
    const CsrfGuard::Session session = m_csrf.session(request);
    sendPage(reply, session, m_view.newPage(page(session), backends(), form), status);
}

void Dashboard::createFromForm(const HttpRequest &request, const HttpReply &reply)
{
    if (!request.header("content-type").startsWith("application/x-www-form-urlencoded")) {
        reply.send(HttpResponse::error(
            415, QStringLiteral("POST /new takes a form (application/x-www-form-urlencoded); "
                                "scripts use POST /api/sandboxes")));
        return;
    }
    const FormData fields = FormData::parse(request.body);
    DashboardView::Form form;
    form.values.name = fields.value(u"name");
    form.values.backend = fields.value(u"backend");
    form.values.projectDir = fields.value(u"project_dir");
    // The form sends a hidden "false" and, when the box is ticked, a "true" after it.
    const QString network = fields.value(u"network");
    form.values.network = network.isEmpty() || network == u"true" || network == u"on";

    if (!m_csrf.verify(request,
                       fields.value(QString::fromLatin1(CsrfGuard::FieldName.toByteArray())))) {
        form.message = QStringLiteral(
            "This form has expired (the daemon restarted, or the browser does not keep "
            "cookies). Check the values and create again.");
        sendNewForm(request, reply, form, 403);
        return;
    }
    m_services.sandboxes.create(form.values, [this, alive = QPointer(this), request, reply,
                                              form](Expected<Sandbox, Error> result) mutable {
        if (!alive)
            return; // the daemon is shutting down
        if (result) {
            reply.send(HttpResponse::redirect("/sandboxes/" + result->id.toUtf8()));
            return;
        }
        const Error &error = result.error();
        if (error.field.isEmpty())
            form.message = error.message;
        else
            form.errors.insert(error.field, error.message);
        sendNewForm(request, reply, form, httpStatus(error.kind));
    });
}

void Dashboard::startDemo(const HttpRequest &request, const HttpReply &reply)
{
    if (!requireHtmx(request, reply))
        return;
    const QString dir = demoProjectDir();
    if (!QDir().mkpath(dir)) {
        sendFragment(request, reply,
                     m_view.message(QStringLiteral("Cannot create the demo's folder %1.").arg(dir)),
                     500);
        return;
    }
    const CreateRequest demo{QString::fromLatin1(DemoBackend), QString::fromLatin1(DemoBackend),
                             dir, true};
    m_services.sandboxes.create(
        demo, [this, alive = QPointer(this), request, reply](Expected<Sandbox, Error> result) {
            if (!alive)
                return; // the daemon is shutting down
            if (!result) {
                qCWarning(lcDashboard).noquote()
                    << "demo sandbox not created:" << result.error().message;
                sendFragment(request, reply, m_view.message(result.error().message),
                             httpStatus(result.error().kind));
                return;
            }
            reply.send(HttpResponse::noContent().withHeader("HX-Redirect",
                                                            "/sandboxes/" + result->id.toUtf8()));
        });
}

void Dashboard::sandboxPage(const HttpRequest &request, const HttpReply &reply)
{
    const CsrfGuard::Session session = m_csrf.session(request);
    const QString id = request.arg(0);
    const auto sandbox = m_services.sandboxes.sandbox(id);
    if (!sandbox) {
        sendPage(reply, session, m_view.notFoundPage(page(session), sandboxGone(id)), 404);
        return;
    }
    m_services.claude.metrics(
        sandbox->projectDir, this, [this, reply, session, id](const ClaudeMetrics &metrics) {
            // Read again: the sandbox may have changed while the metrics were summed.
            const auto current = m_services.sandboxes.sandbox(id);
            if (!current) {
                sendPage(reply, session, m_view.notFoundPage(page(session), sandboxGone(id)), 404);
                return;
            }
            sendPage(reply, session,
                     m_view.sandboxPage(page(session), *current,
                                        m_services.capture.store().find(id), metrics));
        });
}

void Dashboard::sandboxListFragment(const HttpRequest &request, const HttpReply &reply)
{
    sendFragment(request, reply,
                 m_view.sandboxList(m_services.sandboxes.sandboxes(), m_services.capture.store(),
                                    demoAvailable()));
}

void Dashboard::systemMetricsFragment(const HttpRequest &request, const HttpReply &reply)
{
    sendFragment(request, reply, m_view.systemMetrics(m_services.system.history()));
}

void Dashboard::claudeMetricsFragment(const HttpRequest &request, const HttpReply &reply)
{
    const QString id = request.arg(0);
    const auto sandbox = m_services.sandboxes.sandbox(id);
    if (!sandbox) {
        sendFragment(request, reply, m_view.message(sandboxGone(id)), 404);
        return;
    }
    m_services.claude.metrics(sandbox->projectDir, this,
                              [this, request, reply](const ClaudeMetrics &metrics) {
                                  sendFragment(request, reply, m_view.claudeMetrics(metrics));
                              });
}

void Dashboard::screenshotFragment(const HttpRequest &request, const HttpReply &reply)
{
    const QString id = request.arg(0);
    const auto sandbox = m_services.sandboxes.sandbox(id);
    if (!sandbox) {
        sendFragment(request, reply, m_view.message(sandboxGone(id)), 404);
        return;
    }
    sendFragment(request, reply, m_view.screenshot(*sandbox, m_services.capture.store().find(id)));
}

void Dashboard::summaryFragment(const HttpRequest &request, const HttpReply &reply)
{
    const QString id = request.arg(0);
    const auto sandbox = m_services.sandboxes.sandbox(id);
    if (!sandbox) {
        sendFragment(request, reply, m_view.message(sandboxGone(id)), 404);
        return;
    }
    sendFragment(request, reply, m_view.summary(*sandbox));
}

void Dashboard::stopAction(const HttpRequest &request, const HttpReply &reply)
{
    if (!requireHtmx(request, reply))
        return;
    const QString id = request.arg(0);
    m_services.sandboxes.stop(id, [this, alive = QPointer(this), reply,
                                   id](std::optional<Error> error) {
        if (!alive)
            return; // the daemon is shutting down
        const auto sandbox = m_services.sandboxes.sandbox(id);
        if (!sandbox) {
            reply.send(HttpResponse::bytes(m_view.message(sandboxGone(id)), HtmlType, 404));
            return;
        }
        reply.send(HttpResponse::bytes(m_view.summary(*sandbox, error ? error->message : QString()),
                                       HtmlType, error ? httpStatus(error->kind) : 200));
    });
}

void Dashboard::startAction(const HttpRequest &request, const HttpReply &reply)
{
    if (!requireHtmx(request, reply))
        return;
    const QString id = request.arg(0);
    m_services.sandboxes.start(
        id, [this, alive = QPointer(this), reply, id](Expected<Sandbox, Error> result) {
            if (!alive)
                return; // the daemon is shutting down
            if (result) {
                reply.send(HttpResponse::bytes(m_view.summary(*result), HtmlType));
                return;
            }
            const auto sandbox = m_services.sandboxes.sandbox(id);
            if (!sandbox) {
                reply.send(HttpResponse::bytes(m_view.message(sandboxGone(id)), HtmlType, 404));
                return;
            }
            reply.send(HttpResponse::bytes(m_view.summary(*sandbox, result.error().message),
                                           HtmlType, httpStatus(result.error().kind)));
        });
}

void Dashboard::deleteAction(const HttpRequest &request, const HttpReply &reply)
{
    if (!requireHtmx(request, reply))
        return;
    const QString id = request.arg(0);
    m_services.sandboxes.remove(
        id, [this, alive = QPointer(this), reply, id](std::optional<Error> error) {
            if (!alive)
                return; // the daemon is shutting down
            if (!error) {
                reply.send(HttpResponse::noContent().withHeader("HX-Redirect", "/"));
                return;
            }
            const auto sandbox = m_services.sandboxes.sandbox(id);
            const QByteArray body =
                sandbox ? m_view.summary(*sandbox, error->message) : m_view.message(error->message);
            reply.send(HttpResponse::bytes(body, HtmlType, httpStatus(error->kind)));
        });
}

void Dashboard::staticFile(const HttpRequest &request, const HttpReply &reply)
{
    const auto asset = m_static.find(request.arg(0));
    if (!asset) {
        reply.send(
            HttpResponse::error(404, QStringLiteral("no such asset: %1").arg(request.arg(0))));
        return;
    }
    // A URL with the asset's current version is the same bytes forever; any other is
    // revalidated each time.
    const bool versioned =
        request.query.queryItemValue(QStringLiteral("v")).toLatin1() == asset->version;
    const QByteArray cacheControl = versioned ? "public, max-age=31536000, immutable" : "no-cache";
    if (request.matchesEtag(asset->etag)) {
        reply.send(
            HttpResponse::notModified(asset->etag).withHeader("Cache-Control", cacheControl));
        return;
    }
    reply.send(HttpResponse::bytes(asset->body, asset->contentType)
                   .withHeader("ETag", asset->etag)
                   .withHeader("Cache-Control", cacheControl));
}
