#pragma once

#include <chrono>

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QTimer>

#include "SandboxKey.h"
#include "shared/Sandbox.h"

class QSystemTrayIcon;
class SandboxListModel;

// Watches the model for what a user wants to hear about without looking: a sandbox that
// died, an agent that went quiet after working (finished, or waits for input). Shows them
// as desktop notifications through the system tray, whose icon sums up the counts.
class TrayNotifier : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayNotifier)

public:
    static constexpr std::chrono::milliseconds CheckInterval{5000};

    struct Counts
    {
        int running = 0;
        int active = 0;
        int idle = 0;
        int stopped = 0;
        int dead = 0;
        int unreachable = 0; // sandboxes whose host does not answer
    };

    explicit TrayNotifier(const SandboxListModel &model, QObject *parent = nullptr);
    ~TrayNotifier() override;

    // Shows the tray icon when the desktop has a tray.
    void setTrayVisible(bool visible);
    bool hasTray() const { return m_tray != nullptr; }
    Counts counts() const { return m_counts; }
    QString summary() const;
    // Compares the model with what was seen last; public so tests can pass their own clock.
    void check(const QDateTime &now);

Q_SIGNALS:
    void notified(const QString &title, const QString &message);
    void activated();
    void quitRequested();

private:
    struct Seen
    {
        SandboxStatus status;
        bool active;
    };

    void notify(const QString &title, const QString &message);
    void updateTray();

    const SandboxListModel &m_model;
    QHash<SandboxKey, Seen> m_seen;
    Counts m_counts;
    QSystemTrayIcon *m_tray = nullptr;
    int m_trayBadge = -1;
    QTimer m_timer;
    QTimer m_soon;
};
