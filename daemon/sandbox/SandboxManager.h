#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include <QDeadlineTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include "sandbox/BackendCatalog.h"
#include "sandbox/Tmux.h"
#include "sandbox/XvfbLauncher.h"
#include "shared/CreateRequest.h"
#include "shared/Error.h"
#include "shared/Expected.h"
#include "shared/ManagerState.h"

class StateStore;

// Where a running sandbox shows its screen: an Xvfb display or a VM's QMP socket.
struct DisplayEndpoint
{
    std::optional<int> display; // Xvfb :N
    QByteArray cookie;          // MIT-MAGIC-COOKIE-1 for it
    QString clientAuthFile;
    QString qmpSocket;      // a VM: QMP screendump
    QString screendumpFile; // where QEMU writes it
};

// Owns the sandboxes: creates, starts, stops and deletes them (Xvfb, tmux session, capture,
// persistence), watches their liveness, and adopts them again after a daemon restart.
class SandboxManager : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxManager)

public:
    static constexpr std::chrono::milliseconds LivenessInterval{5000};
    // After a start, look once more soon: a backend that fails at once is reported quickly.
    static constexpr std::chrono::milliseconds EarlyLivenessCheck{700};
    // A pane can be seen dead before tmux has reaped its process and knows the exit status:
    // look again every ExitStatusRecheck, for up to ExitStatusWait, before giving up on it.
    static constexpr std::chrono::milliseconds ExitStatusRecheck{300};
    static constexpr std::chrono::milliseconds ExitStatusWait{3000};
    // Display numbers cycle through [50, 50 + DisplayRange).
    static constexpr int DisplayRange = 1000;

    using SandboxDone = std::function<void(Expected<Sandbox, Error>)>;
    using Done = std::function<void(std::optional<Error>)>;

    // What the manager needs from the daemon's configuration.
    struct Settings
    {
        QString stateDir; // absolute; holds logs/ and run/
        QString homeDir;  // {home} in backend command lines
        QSize screenSize{1920, 1080};
        int screenDepth = 24;
    };

    SandboxManager(Settings settings, const BackendCatalog &catalog, StateStore &store,
                   QObject *parent = nullptr);

    // Takes over the loaded state: adopts what still runs, marks the rest dead, ends orphans.
    void restore(const ManagerState &state, std::function<void()> ready);

    QList<Sandbox> sandboxes() const; // newest first
    std::optional<Sandbox> sandbox(const QString &id) const;
    const BackendCatalog &catalog() const { return m_catalog; }

    void create(const CreateRequest &request, SandboxDone done);
    void start(const QString &id, SandboxDone done);
    void stop(const QString &id, Done done);
    void remove(const QString &id, Done done);

    QString logPath(const QString &id) const;
    QString runDir() const { return m_runDir; }

Q_SIGNALS:
    void sandboxChanged(const QString &id);
    void sandboxRemoved(const QString &id);
    // A sandbox's screen can be captured now (started, or adopted after a restart) / no more.
    void displayUp(const QString &id, const DisplayEndpoint &endpoint);
    void displayDown(const QString &id);

private:
    struct Runtime
    {
        QString serverAuthFile;
        QString clientAuthFile;
        QByteArray cookie;
    };

    // The sandbox, unless it is unknown (404) or another operation is under way on it (409).
    Expected<Sandbox, Error> idleSandbox(const QString &id) const;
    void launch(Sandbox sandbox, SandboxDone done);
    void startSession(Sandbox sandbox, const BackendSpec &spec, const XvfbInstance &xvfb,
                      SandboxDone done);
    void teardown(const Sandbox &sandbox, std::function<void()> done);
    void stopXvfb(const Sandbox &sandbox);
    bool xvfbAlive(const Sandbox &sandbox) const;
    void announceDisplay(const Sandbox &sandbox);
    void markDead(const QString &id, const QString &reason, std::optional<int> exitStatus,
                  bool killSession);
    void checkLiveness();
    void applyPanes(const QList<TmuxPane> &panes);
    void reapOrphans(const QList<TmuxPane> &panes);
    void persist(Done done = {});
    int firstFreeDisplay() const;
    QString qmpSocketPath(const Sandbox &sandbox) const;
    QString serverAuthPath(const QString &id) const;

    const Settings m_config;
    const BackendCatalog &m_catalog;
    StateStore &m_store;
    Tmux m_tmux;
    XvfbLauncher m_xvfb;
    QString m_logDir;
    QString m_runDir;
    QString m_bootId;
    ManagerState m_state;
    QHash<QString, Runtime> m_runtime;
    QSet<QString> m_busy;
    QSet<int> m_reservedDisplays;
    // Dead panes whose exit status tmux has not reported yet, and until when to wait for it.
    QHash<QString, QDeadlineTimer> m_exitPending;
    QTimer m_liveness;
    bool m_checking = false;
    QString m_lastTmuxError;
};
