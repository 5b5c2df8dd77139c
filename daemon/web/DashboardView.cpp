#include "web/DashboardView.h"

#include <QLocale>

#include "capture/FrameProcessor.h"
#include "capture/FrameStore.h"

namespace {

const QString IndexTemplate = QStringLiteral("index");
const QString NewTemplate = QStringLiteral("new");
const QString SandboxTemplate = QStringLiteral("sandbox");
const QString NotFoundTemplate = QStringLiteral("not_found");
const QString LoginTemplate = QStringLiteral("login");
const QString ListFragment = QStringLiteral("fragments/sandbox_list");
const QString SystemFragment = QStringLiteral("fragments/system_metrics");
const QString ClaudeFragment = QStringLiteral("fragments/claude_metrics");
const QString ScreenshotFragment = QStringLiteral("fragments/screenshot");
const QString SummaryFragment = QStringLiteral("fragments/sandbox_summary");
const QString MessageFragment = QStringLiteral("fragments/message");

QString frameVersion(const StoredFrame &frame)
{
    return QString::number(frame.hash, 16);
}

QString utcText(const QDateTime &time)
{
    return time.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
}

QString isoText(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODate);
}

QString count(quint64 value)
{
    return QLocale(QLocale::English).toString(value);
}

QString percent(double value)
{
    return QString::number(value, 'f', 1);
}

QVariantMap claudeModel(const ClaudeMetrics &metrics)
{
    return {
        {QStringLiteral("input_tokens"), count(metrics.inputTokens)},
        {QStringLiteral("output_tokens"), count(metrics.outputTokens)},
        {QStringLiteral("cache_creation_tokens"), count(metrics.cacheCreationTokens)},
        {QStringLiteral("cache_read_tokens"), count(metrics.cacheReadTokens)},
        {QStringLiteral("message_count"), count(metrics.messageCount)},
        {QStringLiteral("tool_use_count"), count(metrics.toolUseCount)},
        {QStringLiteral("session_count"), count(metrics.sessionCount)},
        {QStringLiteral("has_sessions"), metrics.sessionCount > 0},
    };
}

} // namespace

DashboardView::DashboardView(TemplateEngine templates) : m_templates(std::move(templates)) {}

const QStringList &DashboardView::requiredTemplates()
{
    static const QStringList names{IndexTemplate,    NewTemplate,    SandboxTemplate,
                                   NotFoundTemplate, LoginTemplate,  ListFragment,
                                   SystemFragment,   ClaudeFragment, ScreenshotFragment,
                                   SummaryFragment,  MessageFragment};
    return names;
}

Expected<DashboardView, QString> DashboardView::load(const QString &templateDirectory)
{
    auto templates = TemplateEngine::fromDirectory(templateDirectory);
    if (!templates)
        return templates.error();
    for (const QString &name : requiredTemplates()) {
        if (!templates->contains(name))
            return QStringLiteral("the dashboard template %1.html is missing from %2")
                .arg(name, templateDirectory);
    }
    return DashboardView(std::move(templates).value());
}

QString DashboardView::formatBytes(double bytes)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int unit = 0;
    while (bytes >= 1024 && unit < 5) {
        bytes /= 1024;
        ++unit;
    }
    const int decimals = unit == 0 || bytes >= 100 ? 0 : 1;
    return QString::number(bytes, 'f', decimals) + u' ' + QLatin1StringView(units[unit]);
}

QVariantMap DashboardView::sandboxModel(const Sandbox &sandbox, const StoredFrame *frame)
{
    const QString status = toString(sandbox.status);
    QVariantMap model{
        {QStringLiteral("id"), sandbox.id},
        {QStringLiteral("short_id"), sandbox.shortId()},
        {QStringLiteral("name"), sandbox.name},
        {QStringLiteral("backend"), sandbox.backend},
        {QStringLiteral("project_dir"), sandbox.projectDir},
        {QStringLiteral("status"), status},
        {QStringLiteral("running"), sandbox.isRunning()},
        {QStringLiteral("network"), sandbox.network ? QStringLiteral("yes") : QStringLiteral("no")},
        {QStringLiteral("created"), utcText(sandbox.createdAt)},
        {QStringLiteral("created_iso"), isoText(sandbox.createdAt)},
    };
    if (!sandbox.isRunning() && !sandbox.reason.isEmpty())
        model.insert(QStringLiteral("reason"), sandbox.reason);
    if (sandbox.isRunning() && sandbox.lastActivityAt.isValid()) {
        // The page's script turns this into "active 5s ago" / "idle 3m"; the HTML stays the
        // same from poll to poll, so an unchanged list is answered with 304.
        model.insert(
            QStringLiteral("activity"),
            QVariantMap{{QStringLiteral("iso"), isoText(sandbox.lastActivityAt)},
                        {QStringLiteral("text"), QString(QStringLiteral("last output ") +
                                                         utcText(sandbox.lastActivityAt))}});
    }
    if (sandbox.displayNum)
        model.insert(QStringLiteral("display"),
                     QString(u':' + QString::number(*sandbox.displayNum)));
    else if (!sandbox.qmpSocket.isEmpty())
        model.insert(QStringLiteral("display"), QStringLiteral("VM screen (QMP)"));
    else
        model.insert(QStringLiteral("display"), QStringLiteral("N/A"));
    if (const QString attach = sandbox.attachCommand(); !attach.isEmpty() && sandbox.isRunning())
        model.insert(QStringLiteral("attach"), attach);

    if (frame && frame->size.width() > 0) {
        const int thumbHeight =
            qMax(1, frame->size.height() * FrameProcessor::ThumbnailWidth / frame->size.width());
        const QString version = frameVersion(*frame);
        model.insert(QStringLiteral("thumb"),
                     QVariantMap{{QStringLiteral("v"), version},
                                 {QStringLiteral("width"), FrameProcessor::ThumbnailWidth},
                                 {QStringLiteral("height"), thumbHeight}});
        model.insert(QStringLiteral("frame"),
                     QVariantMap{{QStringLiteral("v"), version},
                                 {QStringLiteral("width"), frame->size.width()},
                                 {QStringLiteral("height"), frame->size.height()}});
    } else {
        const bool hasDisplay = sandbox.displayNum || !sandbox.qmpSocket.isEmpty();
        model.insert(QStringLiteral("no_frame"),
                     !sandbox.isRunning() ? QStringLiteral("Not running")
                     : hasDisplay         ? QStringLiteral("Waiting for the first frame")
                                          : QStringLiteral("No display"));
    }
    return model;
}

QVariant DashboardView::systemModel(const QList<SystemMetrics> &history)
{
    if (history.isEmpty())
        return {};
    const SystemMetrics &now = history.last();
    double rxRate = 0;
    double txRate = 0;
    if (history.size() >= 2) {
        const SystemMetrics &before = history.at(history.size() - 2);
        const double seconds = double(now.timestampMs - before.timestampMs) / 1000.0;
        if (seconds > 0 && now.netRxBytes >= before.netRxBytes &&
            now.netTxBytes >= before.netTxBytes) {
            rxRate = double(now.netRxBytes - before.netRxBytes) / seconds;
            txRate = double(now.netTxBytes - before.netTxBytes) / seconds;
        }
    }
    const double memoryPercent =
        now.memoryTotal ? 100.0 * double(now.memoryUsed) / double(now.memoryTotal) : 0;
    const double diskPercent =
        now.diskTotal ? 100.0 * double(now.diskUsed) / double(now.diskTotal) : 0;
    const auto share = [](quint64 used, quint64 total, double percentUsed) {
        return QString(formatBytes(double(used)) + QStringLiteral(" of ") +
                       formatBytes(double(total)) + QStringLiteral(" (") +
                       QString::number(qRound(percentUsed)) + QStringLiteral(" %)"));
    };
    const QString sampledAt = QDateTime::fromMSecsSinceEpoch(now.timestampMs)
                                  .toUTC()
                                  .toString(QStringLiteral("HH:mm:ss 'UTC'"));
    return QVariantMap{
        {QStringLiteral("ts"), now.timestampMs},
        {QStringLiteral("cpu"), percent(now.cpuUsage)},
        {QStringLiteral("mem_pct"), percent(memoryPercent)},
        {QStringLiteral("rx_rate"), qint64(rxRate)},
        {QStringLiteral("tx_rate"), qint64(txRate)},
        {QStringLiteral("cpu_text"), QString(percent(now.cpuUsage) + QStringLiteral(" %"))},
        {QStringLiteral("mem_text"), share(now.memoryUsed, now.memoryTotal, memoryPercent)},
        {QStringLiteral("disk_text"), share(now.diskUsed, now.diskTotal, diskPercent)},
        {QStringLiteral("rx_text"), QString(formatBytes(rxRate) + QStringLiteral("/s"))},
        {QStringLiteral("tx_text"), QString(formatBytes(txRate) + QStringLiteral("/s"))},
        {QStringLiteral("time"), sampledAt},
    };
}

QVariantMap DashboardView::pageModel(const Page &page, const QString &title)
{
    return {{QStringLiteral("title"), title},
            {QStringLiteral("csrf_token"), page.csrfToken},
            {QStringLiteral("assets"), page.assetVersions}};
}

QVariantMap DashboardView::listModel(const QList<Sandbox> &sandboxes, const FrameStore &frames,
                                     bool demoAvailable) const
{
    QVariantList items;
    items.reserve(sandboxes.size());
    for (const Sandbox &sandbox : sandboxes)
        items.append(sandboxModel(sandbox, frames.find(sandbox.id)));
    return {{QStringLiteral("sandboxes"), items},
            {QStringLiteral("has_sandboxes"), !sandboxes.isEmpty()},
            {QStringLiteral("demo_available"), demoAvailable}};
}

QByteArray DashboardView::sandboxList(const QList<Sandbox> &sandboxes, const FrameStore &frames,
                                      bool demoAvailable) const
{
    return m_templates.render(ListFragment, listModel(sandboxes, frames, demoAvailable));
}

QByteArray DashboardView::systemMetrics(const QList<SystemMetrics> &history) const
{
    return m_templates.render(SystemFragment,
                              QVariantMap{{QStringLiteral("system"), systemModel(history)}});
}

QByteArray DashboardView::claudeMetrics(const ClaudeMetrics &metrics) const
{
    return m_templates.render(ClaudeFragment,
                              QVariantMap{{QStringLiteral("metrics"), claudeModel(metrics)}});
}

QByteArray DashboardView::screenshot(const Sandbox &sandbox, const StoredFrame *frame) const
{
    return m_templates.render(
        ScreenshotFragment, QVariantMap{{QStringLiteral("sandbox"), sandboxModel(sandbox, frame)}});
}

QByteArray DashboardView::summary(const Sandbox &sandbox, const QString &error) const
{
    return m_templates.render(
        SummaryFragment, QVariantMap{{QStringLiteral("sandbox"), sandboxModel(sandbox, nullptr)},
                                     {QStringLiteral("error"), error}});
}

QByteArray DashboardView::message(const QString &text) const
{
    return m_templates.render(MessageFragment, QVariantMap{{QStringLiteral("message"), text}});
}

QByteArray DashboardView::indexPage(const Page &page, const QList<Sandbox> &sandboxes,
                                    const FrameStore &frames, bool demoAvailable,
                                    const QList<SystemMetrics> &history) const
{
    QVariantMap model = pageModel(page, QStringLiteral("Sandboxes"));
    model.insert(listModel(sandboxes, frames, demoAvailable));
    model.insert(QStringLiteral("system"), systemModel(history));
    model.insert(QStringLiteral("with_charts"), true);
    return m_templates.render(IndexTemplate, model);
}

QByteArray DashboardView::newPage(const Page &page, const QList<Backend> &backends,
                                  const Form &form) const
{
    QVariantMap model = pageModel(page, QStringLiteral("New sandbox"));
    QString selected = form.values.backend;
    if (selected.isEmpty()) {
        for (const Backend &backend : backends) {
            if (backend.available) {
                selected = backend.spec.name;
                break;
            }
        }
    }
    QVariantList list;
    for (const Backend &backend : backends) {
        QString line = backend.spec.description.trimmed();
        if (!line.isEmpty() && !line.endsWith(u'.'))
            line += u'.';
        if (!backend.spec.supportsNoNetwork())
            line += QStringLiteral(" Cannot turn networking off.");
        list.append(QVariantMap{{QStringLiteral("name"), backend.spec.name},
                                {QStringLiteral("description"), line.trimmed()},
                                {QStringLiteral("available"), backend.available},
                                {QStringLiteral("checked"), backend.spec.name == selected}});
    }
    model.insert(QStringLiteral("backends"), list);
    model.insert(QStringLiteral("values"),
                 QVariantMap{{QStringLiteral("name"), form.values.name},
                             {QStringLiteral("project_dir"), form.values.projectDir},
                             {QStringLiteral("network"), form.values.network}});
    QVariantMap errors;
    for (auto it = form.errors.cbegin(); it != form.errors.cend(); ++it)
        errors.insert(it.key(), it.value());
    model.insert(QStringLiteral("errors"), errors);
    model.insert(QStringLiteral("message"), form.message);
    return m_templates.render(NewTemplate, model);
}

QByteArray DashboardView::sandboxPage(const Page &page, const Sandbox &sandbox,
                                      const StoredFrame *frame, const ClaudeMetrics &metrics) const
{
    QVariantMap model = pageModel(page, sandbox.name);
    model.insert(QStringLiteral("sandbox"), sandboxModel(sandbox, frame));
    model.insert(QStringLiteral("with_terminal"), true);
    model.insert(QStringLiteral("metrics"), claudeModel(metrics));
    return m_templates.render(SandboxTemplate, model);
}

QByteArray DashboardView::loginPage(const Page &page, const QString &error) const
{
    QVariantMap model = pageModel(page, QStringLiteral("Log in"));
    model.insert(QStringLiteral("error"), error);
    return m_templates.render(LoginTemplate, model);
}

QByteArray DashboardView::notFoundPage(const Page &page, const QString &text) const
{
    QVariantMap model = pageModel(page, QStringLiteral("Not found"));
    model.insert(QStringLiteral("message"), text);
    return m_templates.render(NotFoundTemplate, model);
}
