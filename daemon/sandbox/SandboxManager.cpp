#include "sandbox/SandboxManager.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QUuid>

#include "sandbox/RequestValidator.h"
#include "sandbox/StateStore.h"
#include "sys/ProcessInfo.h"
#include "sys/XauthFile.h"

Q_LOGGING_CATEGORY(lcSandbox, "manager.sandbox")

namespace {

constexpr qsizetype MaxUnixSocketPath = 107;

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

std::optional<Error> touchPrivateFile(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(),
                          O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        const int error = errno;
        const QString message =
            QStringLiteral("cannot create %1: %2").arg(path, qt_error_string(error));
        return error == ENOSPC || error == EDQUOT ? Error::storage(message)
                                                  : Error::internal(message);
    }
    ::fchmod(fd, 0600);
    ::close(fd);
    return std::nullopt;
}

} // namespace

SandboxManager::SandboxManager(Settings settings, const BackendCatalog &catalog, StateStore &store,
                               QObject *parent)
    : QObject(parent)
    , m_config(std::move(settings))
    , m_catalog(catalog)
    , m_store(store)
    , m_logDir(m_config.stateDir + QStringLiteral("/logs"))
    , m_runDir(m_config.stateDir + QStringLiteral("/run"))
    , m_bootId(ProcessInfo::bootId())
{
    m_liveness.setInterval(LivenessInterval);
    connect(&m_liveness, &QTimer::timeout, this, &SandboxManager::checkLiveness);
}

QString SandboxManager::logPath(const QString &id) const
{
    return m_logDir + u'/' + id + QStringLiteral(".log");
}

QString SandboxManager::serverAuthPath(const QString &id) const
{
    return m_runDir + u'/' + id + QStringLiteral(".xauth-server");
}

QList<Sandbox> SandboxManager::sandboxes() const
{
    QList<Sandbox> list = m_state.sandboxes.values();
    std::stable_sort(list.begin(), list.end(),
                     [](const Sandbox &a, const Sandbox &b) { return a.createdAt > b.createdAt; });
    return list;
}

std::optional<Sandbox> SandboxManager::sandbox(const QString &id) const
{
    const auto it = m_state.sandboxes.constFind(id);
    if (it == m_state.sandboxes.cend())
        return std::nullopt;
    return *it;
}

int SandboxManager::firstFreeDisplay() const
{
    QSet<int> used = m_reservedDisplays;
    for (const Sandbox &sandbox : m_state.sandboxes) {
        if (sandbox.isRunning() && sandbox.displayNum)
            used.insert(*sandbox.displayNum);
    }
    // From next_display on, as the reference did: numbers just given up are not retried at
    // once, and X servers that are not ours are skipped once rather than on every create.
    int display = m_state.nextDisplay;
    if (display < ManagerState::FirstDisplay ||
        display >= ManagerState::FirstDisplay + DisplayRange)
        display = ManagerState::FirstDisplay;
    while (used.contains(display))
        display = display + 1 >= ManagerState::FirstDisplay + DisplayRange
                      ? ManagerState::FirstDisplay
                      : display + 1;
    return display;
}

QString SandboxManager::qmpSocketPath(const Sandbox &sandbox) const
{
    const QString preferred = m_runDir + u'/' + sandbox.shortId() + QStringLiteral(".qmp");
    if (QFile::encodeName(preferred).size() <= MaxUnixSocketPath)
        return preferred;
    // A deep state dir would overflow sun_path: fall back to a private folder in /tmp.
    const QString dir =
        QDir::tempPath() + QStringLiteral("/claude-sandbox-manager-") + QString::number(::getuid());
    QDir().mkpath(dir);
    QFile::setPermissions(dir,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    return dir + u'/' + sandbox.shortId() + QStringLiteral(".qmp");
}

void SandboxManager::create(const CreateRequest &request, SandboxDone done)
{
    if (auto error = RequestValidator::validate(request, m_catalog)) {
        done(*error);
        return;
    }
    Sandbox sandbox;
    do {
        sandbox.id = newId();
    } while (std::any_of(m_state.sandboxes.cbegin(), m_state.sandboxes.cend(),
                         [&](const Sandbox &s) { return s.shortId() == sandbox.shortId(); }));
    sandbox.name = request.name;
    sandbox.backend = request.backend;
    sandbox.projectDir = QDir::cleanPath(request.projectDir);
    sandbox.network = request.network;
    sandbox.createdAt = QDateTime::currentDateTimeUtc();
    sandbox.tmuxSession = QStringLiteral("sandbox-") + sandbox.shortId();

    const QString id = sandbox.id;
    m_busy.insert(id);
    launch(sandbox, [this, id, done = std::move(done)](Expected<Sandbox, Error> result) {
        m_busy.remove(id);
        if (!result) {
            QFile::remove(logPath(id));
            done(std::move(result));
            return;
        }
        const Sandbox created = *result;
        m_state.sandboxes.insert(id, created);
        m_busy.insert(id);
        persist([this, created, done](std::optional<Error> error) {
            m_busy.remove(created.id);
            if (!error) {
                qCInfo(lcSandbox).noquote()
                    << "created sandbox" << created.id << "(" << created.name << ","
                    << created.backend << ") on display" << created.displayNum.value_or(-1);
                announceDisplay(created);
                Q_EMIT sandboxChanged(created.id);
                QTimer::singleShot(EarlyLivenessCheck, this, &SandboxManager::checkLiveness);
                done(created);
                return;
            }
            // Nothing the disk does not know about may keep running.
            m_state.sandboxes.remove(created.id);
            Q_EMIT sandboxRemoved(created.id);
            teardown(created, [this, created, error, done] {
                m_runtime.remove(created.id);
                QFile::remove(logPath(created.id));
                persist();
                done(*error);
            });
        });
    });
}

Expected<Sandbox, Error> SandboxManager::idleSandbox(const QString &id) const
{
    const auto found = sandbox(id);
    if (!found)
        return Error::notFound(QStringLiteral("no sandbox with id %1").arg(id));
    if (m_busy.contains(id))
        return Error::conflict(QStringLiteral("sandbox %1 is busy with another operation").arg(id));
    return *found;
}

void SandboxManager::start(const QString &id, SandboxDone done)
{
    const auto existing = idleSandbox(id);
    if (!existing) {
        done(existing.error());
        return;
    }
    if (existing->isRunning()) {
        done(Error::conflict(QStringLiteral("sandbox %1 is already running").arg(id)));
        return;
    }
    if (auto error = RequestValidator::validateProjectDir(existing->projectDir)) {
        done(*error);
        return;
    }
    m_busy.insert(id);
    launch(*existing, [this, id, done = std::move(done)](Expected<Sandbox, Error> result) {
        if (!result) {
            m_busy.remove(id);
            if (m_state.sandboxes.contains(id)) {
                m_state.sandboxes[id].reason =
                    QStringLiteral("start failed: ") + result.error().message;
                Q_EMIT sandboxChanged(id);
                persist();
            }
            done(std::move(result));
            return;
        }
        const Sandbox started = *result;
        m_state.sandboxes.insert(id, started);
        persist([this, started, done](std::optional<Error> error) {
            m_busy.remove(started.id);
            if (error) {
                Sandbox stopped = started;
                teardown(started, [this, stopped, error, done]() mutable {
                    stopped.status = SandboxStatus::Stopped;
                    stopped.reason = error->message;
                    m_state.sandboxes.insert(stopped.id, stopped);
                    Q_EMIT sandboxChanged(stopped.id);
                    persist();
                    done(*error);
                });
                return;
            }
            qCInfo(lcSandbox) << "started sandbox" << started.id << "again";
            announceDisplay(started);
            Q_EMIT sandboxChanged(started.id);
            QTimer::singleShot(EarlyLivenessCheck, this, &SandboxManager::checkLiveness);
            done(started);
        });
    });
}

void SandboxManager::launch(Sandbox sandbox, SandboxDone done)
{
    const BackendSpec *spec = m_catalog.find(sandbox.backend);
    if (!spec) {
        done(Error::invalid(
            QStringLiteral("backend"),
            QStringLiteral("backend %1 is no longer configured").arg(sandbox.backend)));
        return;
    }
    if (!sandbox.network && !spec->supportsNoNetwork()) {
        done(Error::invalid(
            QStringLiteral("network"),
            QStringLiteral("backend %1 cannot turn networking off").arg(spec->name)));
        return;
    }
    QDir().mkpath(m_logDir);
    if (auto error = touchPrivateFile(logPath(sandbox.id))) {
        done(*error);
        return;
    }

    sandbox.displayNum.reset();
    sandbox.pidXvfb.reset();
    sandbox.xvfbStartTicks = 0;
    sandbox.qmpSocket.clear();
    const BackendSpec backend = *spec;
    if (backend.display != DisplayKind::Xvfb) {
        if (backend.display == DisplayKind::Qmp) {
            sandbox.qmpSocket = qmpSocketPath(sandbox);
            QFile::remove(sandbox.qmpSocket);
        }
        startSession(sandbox, backend, {}, std::move(done));
        return;
    }

    XvfbRequest request;
    request.sandboxId = sandbox.id;
    request.firstDisplay = firstFreeDisplay();
    request.size = m_config.screenSize;
    request.depth = m_config.screenDepth;
    request.runDir = m_runDir;
    m_reservedDisplays.insert(request.firstDisplay);
    const int reserved = request.firstDisplay;
    m_xvfb.start(
        request, this,
        [this, sandbox, backend, reserved,
         done = std::move(done)](Expected<XvfbInstance, QString> xvfb) mutable {
            m_reservedDisplays.remove(reserved);
            if (!xvfb) {
                qCWarning(lcSandbox).noquote() << "sandbox" << sandbox.id << ":" << xvfb.error();
                done(Error::internal(QStringLiteral("cannot start the display of sandbox %1: %2")
                                         .arg(sandbox.id, xvfb.error())));
                return;
            }
            sandbox.displayNum = xvfb->display;
            m_state.nextDisplay = xvfb->display + 1;
            sandbox.pidXvfb = xvfb->pid;
            sandbox.xvfbStartTicks = xvfb->startTicks;
            sandbox.bootId = m_bootId;
            m_runtime.insert(sandbox.id,
                             {xvfb->serverAuthFile, xvfb->clientAuthFile, xvfb->cookie});
            startSession(sandbox, backend, *xvfb, std::move(done));
        });
}

void SandboxManager::startSession(Sandbox sandbox, const BackendSpec &spec,
                                  const XvfbInstance &xvfb, SandboxDone done)
{
    BackendVars vars;
    vars.projectDir = sandbox.projectDir;
    vars.id = sandbox.id;
    vars.shortId = sandbox.shortId();
    vars.name = sandbox.name;
    vars.display = sandbox.displayNum ? u':' + QString::number(*sandbox.displayNum) : QString();
    vars.xauthority = xvfb.clientAuthFile;
    vars.qmpSocket = sandbox.qmpSocket;
    vars.home = m_config.homeDir;
    vars.stateDir = m_config.stateDir;
    const QStringList argv =
        BackendCatalog::expand(sandbox.network ? spec.command : spec.commandNoNetwork, vars);

    const auto fail = [this, sandbox, done](const Error &error) {
        stopXvfb(sandbox);
        m_runtime.remove(sandbox.id);
        done(error);
    };
    if (RequestValidator::resolveProgram(argv.first()).isEmpty()) {
        fail(Error::invalid(
            QStringLiteral("backend"),
            QStringLiteral("backend %1 runs %2, which is not installed (not found in PATH)")
                .arg(spec.name, argv.first())));
        return;
    }

    TmuxSessionSpec session;
    session.name = QStringLiteral("sandbox-") + sandbox.shortId();
    session.workingDir = sandbox.projectDir;
    session.command = argv;
    session.logPath = logPath(sandbox.id);
    session.owner = m_config.stateDir;
    session.environment.insert(QStringLiteral("SANDBOX_ID"), sandbox.id);
    session.environment.insert(QStringLiteral("SANDBOX_NAME"), sandbox.name);
    if (sandbox.displayNum) {
        session.environment.insert(QStringLiteral("DISPLAY"), vars.display);
        session.environment.insert(QStringLiteral("XAUTHORITY"), xvfb.clientAuthFile);
    }
    if (!sandbox.qmpSocket.isEmpty())
        session.environment.insert(QStringLiteral("SANDBOX_QMP_SOCKET"), sandbox.qmpSocket);

    sandbox.tmuxSession = session.name;
    m_tmux.startSession(session, this, [sandbox, fail, done](const ToolResult &result) mutable {
        if (!result.ok()) {
            fail(Error::internal(QStringLiteral("cannot start the tmux session of sandbox %1: %2")
                                     .arg(sandbox.id, result.failure)));
            return;
        }
        sandbox.status = SandboxStatus::Running;
        sandbox.startedAt = QDateTime::currentDateTimeUtc();
        sandbox.lastActivityAt = sandbox.startedAt;
        sandbox.exitStatus.reset();
        sandbox.reason.clear();
        done(sandbox);
    });
}

void SandboxManager::announceDisplay(const Sandbox &sandbox)
{
    if (sandbox.displayNum) {
        const Runtime runtime = m_runtime.value(sandbox.id);
        Q_EMIT displayUp(sandbox.id,
                         {sandbox.displayNum, runtime.cookie, runtime.clientAuthFile, {}, {}});
    } else if (!sandbox.qmpSocket.isEmpty()) {
        Q_EMIT displayUp(sandbox.id,
                         {std::nullopt,
                          {},
                          {},
                          sandbox.qmpSocket,
                          m_runDir + u'/' + sandbox.id + QStringLiteral(".screendump.png")});
    }
}

bool SandboxManager::xvfbAlive(const Sandbox &sandbox) const
{
    if (!sandbox.pidXvfb || !sandbox.displayNum)
        return false;
    if (sandbox.xvfbStartTicks != 0)
        return ProcessInfo::isSameProcess(*sandbox.pidXvfb, sandbox.xvfbStartTicks, sandbox.bootId,
                                          QStringLiteral("Xvfb"), serverAuthPath(sandbox.id));
    // Started by the reference daemon: no start time was recorded, its command line names the
    // display.
    return ProcessInfo::isSameProcess(*sandbox.pidXvfb, 0, {}, QStringLiteral("Xvfb"),
                                      u':' + QString::number(*sandbox.displayNum));
}

void SandboxManager::stopXvfb(const Sandbox &sandbox)
{
    if (!sandbox.pidXvfb || !xvfbAlive(sandbox))
        return;
    ::kill(static_cast<pid_t>(*sandbox.pidXvfb), SIGTERM);
}

void SandboxManager::teardown(const Sandbox &sandbox, std::function<void()> done)
{
    Q_EMIT displayDown(sandbox.id);
    m_tmux.killSession(sandbox.tmuxSession, this,
                       [this, sandbox, done = std::move(done)](const ToolResult &result) {
                           if (!result.ok())
                               qCWarning(lcSandbox).noquote()
                                   << "sandbox" << sandbox.id << ":" << result.failure;
                           stopXvfb(sandbox);
                           done();
                       });
}

void SandboxManager::stop(const QString &id, Done done)
{
    const auto existing = idleSandbox(id);
    if (!existing) {
        done(existing.error());
        return;
    }
    m_busy.insert(id);
    teardown(*existing, [this, id, done = std::move(done)] {
        m_busy.remove(id);
        if (!m_state.sandboxes.contains(id)) {
            done(Error::notFound(QStringLiteral("no sandbox with id %1").arg(id)));
            return;
        }
        Sandbox &sandbox = m_state.sandboxes[id];
        sandbox.status = SandboxStatus::Stopped;
        sandbox.reason = QStringLiteral("stopped on request");
        sandbox.pidXvfb.reset();
        m_runtime.remove(id);
        qCInfo(lcSandbox) << "stopped sandbox" << id;
        Q_EMIT sandboxChanged(id);
        persist(done);
    });
}

void SandboxManager::remove(const QString &id, Done done)
{
    const auto existing = idleSandbox(id);
    if (!existing) {
        done(existing.error());
        return;
    }
    m_busy.insert(id);
    teardown(*existing, [this, id, done = std::move(done)] {
        m_busy.remove(id);
        m_state.sandboxes.remove(id);
        m_runtime.remove(id);
        QFile::remove(logPath(id));
        for (const QString &suffix :
             {QStringLiteral(".xauth"), QStringLiteral(".xauth-server"),
              QStringLiteral(".xvfb.log"), QStringLiteral(".screendump.png")})
            QFile::remove(m_runDir + u'/' + id + suffix);
        qCInfo(lcSandbox) << "deleted sandbox" << id;
        Q_EMIT sandboxRemoved(id);
        persist(done);
    });
}

void SandboxManager::persist(Done done)
{
    m_store.save(m_state, this, [done = std::move(done)](const std::optional<QString> &error) {
        if (!done)
            return;
        if (error)
            done(Error::storage(QStringLiteral("the change could not be saved: ") + *error));
        else
            done(std::nullopt);
    });
}

void SandboxManager::markDead(const QString &id, const QString &reason,
                              std::optional<int> exitStatus, bool killSession)
{
    m_exitPending.remove(id);
    if (!m_state.sandboxes.contains(id))
        return;
    Sandbox &sandbox = m_state.sandboxes[id];
    sandbox.status = SandboxStatus::Dead;
    sandbox.reason = reason;
    sandbox.exitStatus = exitStatus;
    qCInfo(lcSandbox).noquote() << "sandbox" << id << "is dead:" << reason;
    const Sandbox copy = sandbox;
    Q_EMIT displayDown(id);
    stopXvfb(copy);
    if (killSession)
        m_tmux.killSession(copy.tmuxSession, this, [](const ToolResult &) {});
    m_runtime.remove(id);
    Q_EMIT sandboxChanged(id);
}

void SandboxManager::checkLiveness()
{
    if (m_checking)
        return;
    m_checking = true;
    m_tmux.listPanes(this, [this](std::optional<QList<TmuxPane>> panes, const QString &error) {
        m_checking = false;
        if (!panes) {
            if (error != m_lastTmuxError)
                qCWarning(lcSandbox).noquote() << "liveness check failed:" << error;
            m_lastTmuxError = error;
            return;
        }
        m_lastTmuxError.clear();
        applyPanes(*panes);
    });
}

void SandboxManager::applyPanes(const QList<TmuxPane> &panes)
{
    QHash<QString, TmuxPane> bySession;
    for (const TmuxPane &pane : panes)
        bySession.insert(pane.session, pane);

    bool statusChanged = false;
    bool recheck = false;
    const QStringList ids = m_state.sandboxes.keys();
    for (const QString &id : ids) {
        const Sandbox &sandbox = m_state.sandboxes[id];
        if (!sandbox.isRunning() || m_busy.contains(id))
            continue;
        const auto pane = bySession.constFind(sandbox.tmuxSession);
        if (pane == bySession.cend()) {
            markDead(
                id,
                QStringLiteral("its tmux session %1 ended (killed, or the tmux server stopped)")
                    .arg(sandbox.tmuxSession),
                std::nullopt, false);
            statusChanged = true;
            continue;
        }
        if (pane->dead && !pane->exitKnown) {
            // Look again shortly, when tmux knows how it ended.
            if (!m_exitPending.contains(id))
                m_exitPending.insert(id, QDeadlineTimer(ExitStatusWait));
            if (!m_exitPending.value(id).hasExpired()) {
                recheck = true;
                continue;
            }
        }
        if (pane->dead) {
            m_exitPending.remove(id);
            // Killed by a signal: reported like a shell does, 128 + the signal number.
            if (!pane->exitKnown)
                markDead(id, QStringLiteral("the backend exited"), std::nullopt, true);
            else if (pane->deadSignal > 0)
                markDead(
                    id, QStringLiteral("the backend was killed by signal %1").arg(pane->deadSignal),
                    128 + pane->deadSignal, true);
            else
                markDead(id,
                         QStringLiteral("the backend exited with status %1").arg(pane->deadStatus),
                         pane->deadStatus, true);
            statusChanged = true;
            continue;
        }
        if (sandbox.displayNum && !xvfbAlive(sandbox)) {
            markDead(id, QStringLiteral("its Xvfb display :%1 exited").arg(*sandbox.displayNum),
                     std::nullopt, true);
            statusChanged = true;
            continue;
        }
        const QDateTime activity = QDateTime::fromSecsSinceEpoch(pane->activity, Qt::UTC);
        if (pane->activity > 0 && activity != sandbox.lastActivityAt) {
            m_state.sandboxes[id].lastActivityAt = activity;
            Q_EMIT sandboxChanged(id);
        }
    }
    if (recheck)
        QTimer::singleShot(ExitStatusRecheck, this, &SandboxManager::checkLiveness);
    // Activity alone is soft state: it is saved with the next real change, not every tick.
    if (statusChanged)
        persist();
}

void SandboxManager::restore(const ManagerState &state, std::function<void()> ready)
{
    m_state = state;
    QDir().mkpath(m_runDir);
    QFile::setPermissions(m_runDir,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QDir().mkpath(m_logDir);
    QFile::setPermissions(m_logDir,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

    m_tmux.listPanes(this, [this, ready = std::move(ready)](std::optional<QList<TmuxPane>> panes,
                                                            const QString &error) {
        if (!panes) {
            qCWarning(lcSandbox).noquote() << "cannot list tmux sessions at startup:" << error;
            panes = QList<TmuxPane>{};
        }
        // Adopt what survived the restart; applyPanes marks the rest dead.
        for (Sandbox &sandbox : m_state.sandboxes) {
            if (!sandbox.isRunning())
                continue;
            if (sandbox.displayNum) {
                const QString clientAuth = m_runDir + u'/' + sandbox.id + QStringLiteral(".xauth");
                m_runtime.insert(sandbox.id, {serverAuthPath(sandbox.id), clientAuth,
                                              XauthFile::readCookie(clientAuth)});
            }
        }
        applyPanes(*panes);
        reapOrphans(*panes);
        int adopted = 0;
        for (const Sandbox &sandbox : std::as_const(m_state.sandboxes)) {
            if (!sandbox.isRunning())
                continue;
            ++adopted;
            announceDisplay(sandbox);
        }
        if (!m_state.sandboxes.isEmpty())
            qCInfo(lcSandbox) << "restored" << m_state.sandboxes.size() << "sandboxes," << adopted
                              << "still running";
        persist();
        m_liveness.start();
        ready();
    });
}

void SandboxManager::reapOrphans(const QList<TmuxPane> &panes)
{
    QSet<QString> owned;
    QSet<QString> ownedAuthFiles;
    for (const Sandbox &sandbox : std::as_const(m_state.sandboxes)) {
        if (!sandbox.isRunning())
            continue;
        owned.insert(sandbox.tmuxSession);
        ownedAuthFiles.insert(serverAuthPath(sandbox.id));
    }
    for (const TmuxPane &pane : panes) {
        if (pane.owner != m_config.stateDir || owned.contains(pane.session))
            continue;
        qCInfo(lcSandbox) << "ending orphan tmux session" << pane.session;
        m_tmux.killSession(pane.session, this, [](const ToolResult &) {});
    }
    for (const qint64 pid :
         ProcessInfo::findByArgumentPrefix(QStringLiteral("Xvfb"), m_runDir + u'/')) {
        const QStringList args = ProcessInfo::commandLine(pid);
        const bool ours = std::any_of(args.cbegin(), args.cend(), [&](const QString &arg) {
            return ownedAuthFiles.contains(arg);
        });
        if (ours)
            continue;
        qCInfo(lcSandbox) << "ending orphan Xvfb, pid" << pid;
        ::kill(static_cast<pid_t>(pid), SIGTERM);
    }
    // Files of sandboxes that never made it into state.json (a crash while creating one).
    QSet<QString> known;
    for (const Sandbox &sandbox : std::as_const(m_state.sandboxes)) {
        known.insert(sandbox.id);
        known.insert(sandbox.shortId());
    }
    for (const QString &dirPath : {m_logDir, m_runDir}) {
        QDir dir(dirPath);
        for (const QString &name : dir.entryList(QDir::Files | QDir::System | QDir::Hidden)) {
            const QString owner = name.left(name.indexOf(u'.'));
            if (!known.contains(owner) && dir.remove(name))
                qCInfo(lcSandbox).noquote()
                    << "removed" << dir.filePath(name) << "of no known sandbox";
        }
    }
}
