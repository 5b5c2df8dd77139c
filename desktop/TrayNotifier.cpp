#include "TrayNotifier.h"

#include <QLoggingCategory>
#include <QMenu>
#include <QSet>
#include <QSystemTrayIcon>

#include "Activity.h"
#include "AppIcon.h"
#include "SandboxListModel.h"

Q_LOGGING_CATEGORY(lcTray, "viewer.tray")

TrayNotifier::TrayNotifier(const SandboxListModel &model, QObject *parent)
    : QObject(parent), m_model(model)
{
    m_timer.setInterval(CheckInterval);
    connect(&m_timer, &QTimer::timeout, this, [this] { check(QDateTime::currentDateTimeUtc()); });
    m_timer.start();
    // Many model signals in one poll become one check.
    m_soon.setSingleShot(true);
    m_soon.setInterval(0);
    connect(&m_soon, &QTimer::timeout, this, [this] { check(QDateTime::currentDateTimeUtc()); });
    for (const auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(&m_model, signal, &m_soon, qOverload<>(&QTimer::start));
    connect(&m_model, &QAbstractItemModel::dataChanged, &m_soon, qOverload<>(&QTimer::start));
}

TrayNotifier::~TrayNotifier() = default;

void TrayNotifier::setTrayVisible(bool visible)
{
    if (!visible) {
        delete std::exchange(m_tray, nullptr);
        return;
    }
    if (m_tray || !QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(AppIcon::icon(), this);
    m_trayBadge = -1;
    auto *menu = new QMenu;
    connect(m_tray, &QObject::destroyed, menu, &QObject::deleteLater);
    menu->addAction(tr("Show viewer"), this, &TrayNotifier::activated);
    menu->addSeparator();
    menu->addAction(tr("Quit"), this, &TrayNotifier::quitRequested);
    m_tray->setContextMenu(menu);
    connect(m_tray, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason why) {
                if (why == QSystemTrayIcon::Trigger || why == QSystemTrayIcon::DoubleClick)
                    Q_EMIT activated();
            });
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, &TrayNotifier::activated);
    updateTray();
    m_tray->show();
}

QString TrayNotifier::summary() const
{
    QStringList parts;
    parts.append(tr("%1 running (%2 active, %3 idle)")
                     .arg(m_counts.running)
                     .arg(m_counts.active)
                     .arg(m_counts.idle));
    if (m_counts.stopped)
        parts.append(tr("%1 stopped").arg(m_counts.stopped));
    if (m_counts.dead)
        parts.append(tr("%1 dead").arg(m_counts.dead));
    if (m_counts.unreachable)
        parts.append(tr("%1 on hosts that do not answer").arg(m_counts.unreachable));
    return parts.join(QStringLiteral(", "));
}

void TrayNotifier::check(const QDateTime &now)
{
    Counts counts;
    QSet<SandboxKey> present;
    for (int row = 0; row < m_model.rowCount(); ++row) {
        const SandboxKey key = m_model.keyAt(row);
        const Sandbox *sandbox = m_model.sandbox(key);
        if (!sandbox)
            continue;
        present.insert(key);
        const bool hostUp = m_model.isHostUp(key.host);
        const bool active = Activity::isActive(*sandbox, now);
        if (!hostUp)
            ++counts.unreachable;
        else if (sandbox->status == SandboxStatus::Running)
            ++(active ? counts.active : counts.idle);
        counts.running += sandbox->status == SandboxStatus::Running ? 1 : 0;
        counts.stopped += sandbox->status == SandboxStatus::Stopped ? 1 : 0;
        counts.dead += sandbox->status == SandboxStatus::Dead ? 1 : 0;

        // A host that does not answer tells nothing new about its sandboxes.
        if (!hostUp)
            continue;
        const auto it = m_seen.find(key);
        if (it == m_seen.end()) {
            m_seen.insert(key, Seen{sandbox->status, active});
            continue;
        }
        const Seen before = *it;
        *it = Seen{sandbox->status, active};
        if (before.status == SandboxStatus::Running && sandbox->status == SandboxStatus::Dead) {
            notify(tr("%1 died").arg(sandbox->name),
                   tr("on %1: %2").arg(key.host, Activity::describe(*sandbox, now)));
        } else if (before.status == SandboxStatus::Running && sandbox->isRunning() &&
                   before.active && !active) {
            notify(tr("%1 is idle").arg(sandbox->name),
                   tr("on %1: the agent finished or waits for input").arg(key.host));
        }
    }
    m_seen.removeIf([&](const auto &it) { return !present.contains(it.key()); });
    m_counts = counts;
    updateTray();
}

void TrayNotifier::notify(const QString &title, const QString &message)
{
    qCInfo(lcTray).noquote() << title << message;
    Q_EMIT notified(title, message);
    if (m_tray)
        m_tray->showMessage(title, message, AppIcon::icon());
}

void TrayNotifier::updateTray()
{
    if (!m_tray)
        return;
    m_tray->setToolTip(QStringLiteral("claude-remote-viewer\n") + summary());
    // The badge counts what waits for the user: idle agents and dead sandboxes.
    const int badge = m_counts.idle + m_counts.dead;
    if (badge == m_trayBadge)
        return;
    m_trayBadge = badge;
    m_tray->setIcon(AppIcon::trayIcon(badge, badge > 0));
}
