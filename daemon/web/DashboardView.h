#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QVariantMap>

#include "sandbox/BackendCatalog.h"
#include "shared/ClaudeMetrics.h"
#include "shared/CreateRequest.h"
#include "shared/Expected.h"
#include "shared/Sandbox.h"
#include "shared/SystemMetrics.h"
#include "web/TemplateEngine.h"

class FrameStore;
struct StoredFrame;

// Turns the daemon's state into the dashboard's HTML through the templates under
// resources/web/templates: one function per page and fragment, shared by the HTTP handlers
// and the benchmarks. Every value reaches the HTML through TemplateEngine, so it is escaped.
class DashboardView
{
public:
    // What every full page needs besides its own content.
    struct Page
    {
        QString csrfToken;
        QVariantMap assetVersions; // asset key -> ?v= value
    };

    // The create form as shown: its values, and what is wrong with them.
    struct Form
    {
        CreateRequest values;
        QHash<QString, QString> errors; // field -> message
        QString message;                // about the form as a whole
    };

    struct Backend
    {
        BackendSpec spec;
        bool available = true;
    };

    static const QStringList &requiredTemplates();
    // Loads the templates and checks that every page and fragment is among them.
    static Expected<DashboardView, QString> load(const QString &templateDirectory);

    // Fragments.
    QByteArray sandboxList(const QList<Sandbox> &sandboxes, const FrameStore &frames,
                           bool demoAvailable) const;
    QByteArray systemMetrics(const QList<SystemMetrics> &history) const;
    QByteArray claudeMetrics(const ClaudeMetrics &metrics) const;
    QByteArray screenshot(const Sandbox &sandbox, const StoredFrame *frame) const;
    QByteArray summary(const Sandbox &sandbox, const QString &error = {}) const;
    QByteArray message(const QString &text) const;

    // Pages.
    QByteArray indexPage(const Page &page, const QList<Sandbox> &sandboxes,
                         const FrameStore &frames, bool demoAvailable,
                         const QList<SystemMetrics> &history) const;
    QByteArray newPage(const Page &page, const QList<Backend> &backends, const Form &form) const;
    QByteArray sandboxPage(const Page &page, const Sandbox &sandbox, const StoredFrame *frame,
                           const ClaudeMetrics &metrics) const;
    QByteArray notFoundPage(const Page &page, const QString &text) const;
    QByteArray loginPage(const Page &page, const QString &error) const;

    // The values the templates see; public for tests.
    static QVariantMap sandboxModel(const Sandbox &sandbox, const StoredFrame *frame);
    static QVariant systemModel(const QList<SystemMetrics> &history); // null without samples
    static QString formatBytes(double bytes);

private:
    explicit DashboardView(TemplateEngine templates);
    QVariantMap listModel(const QList<Sandbox> &sandboxes, const FrameStore &frames,
                          bool demoAvailable) const;
    static QVariantMap pageModel(const Page &page, const QString &title);

    TemplateEngine m_templates;
};
