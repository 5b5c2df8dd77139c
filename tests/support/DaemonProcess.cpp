#include "DaemonProcess.h"

#include <signal.h>

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include "sys/ProcessInfo.h"

DaemonProcess::DaemonProcess(QObject *parent) : QObject(parent)
{
    m_stateDir = m_dir.path() + QStringLiteral("/state");
    m_tmuxDir = m_dir.path() + QStringLiteral("/tmux");
    m_projectDir = m_dir.path() + QStringLiteral("/project");
    QDir().mkpath(m_tmuxDir);
    QDir().mkpath(m_projectDir);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    connect(&m_process, &QProcess::readyRead, this, [this] { m_output += m_process.readAll(); });
}

DaemonProcess::~DaemonProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
    cleanupProcesses();
}

QString DaemonProcess::daemonPath()
{
    const QByteArray fromEnv = qgetenv("CSM_DAEMON");
    return fromEnv.isEmpty() ? QStringLiteral(CSM_DAEMON_PATH) : QString::fromLocal8Bit(fromEnv);
}

QString DaemonProcess::sourceDir()
{
    return QStringLiteral(CSM_SOURCE_DIR);
}

QString DaemonProcess::stubBackend()
{
    return sourceDir() + QStringLiteral("/tests/support/stub-backend");
}

QByteArray DaemonProcess::defaultBackends()
{
    const QByteArray stub = stubBackend().toUtf8();
    return R"({"backends": {
  "stub": {"description": "test stub", "command": [")" +
           stub + R"(", "{project_dir}"],
           "command_no_network": [")" +
           stub + R"(", "--offline", "{project_dir}"], "display": "xvfb"},
  "bubblewrap": {"command": [")" +
           stub + R"(", "{project_dir}"], "display": "xvfb"},
  "stub-tick": {"command": [")" +
           stub + R"(", "--tick", "0.2", "{project_dir}"], "display": "xvfb"},
  "stub-exit": {"command": [")" +
           stub + R"(", "--exit", "3"], "display": "xvfb"},
  "stub-headless": {"command": [")" +
           stub + R"(", "{project_dir}"], "display": "none"},
  "missing": {"command": ["/nonexistent/backend-program", "{project_dir}"], "display": "xvfb"},
  "vm": {"command": ["qemu-system-x86_64", "-display", "none", "-vga", "std", "-m", "64", "-nodefaults",
                     "-qmp", "unix:{qmp_socket},server=on,wait=off"], "display": "qmp"}
}})";
}

QProcessEnvironment DaemonProcess::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TMUX_TMPDIR"), m_tmuxDir);
    env.remove(QStringLiteral("TMUX"));
    return env;
}

bool DaemonProcess::start()
{
    return start(Options());
}

bool DaemonProcess::start(const Options &options)
{
    QString error;
    const bool ok = start(options, &error);
    if (!ok)
        qWarning().noquote() << "daemon did not start:" << error << "\n" << output();
    return ok;
}

bool DaemonProcess::start(const Options &options, QString *error)
{
    m_options = options;
    const QString backendsPath = m_dir.path() + QStringLiteral("/backends.json");
    QFile backends(backendsPath);
    if (!backends.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        *error = QStringLiteral("cannot write %1").arg(backendsPath);
        return false;
    }
    backends.write(options.backendsJson.isEmpty() ? defaultBackends() : options.backendsJson);
    backends.close();

    QProcessEnvironment env = environment();
    env.insert(QStringLiteral("MANAGER_LISTEN"), QStringLiteral("127.0.0.1:0"));
    env.insert(QStringLiteral("MANAGER_STATE_DIR"), m_stateDir);
    env.insert(QStringLiteral("MANAGER_BACKENDS_FILE"), backendsPath);
    env.insert(QStringLiteral("MANAGER_CLAUDE_DIR"), m_dir.path() + QStringLiteral("/claude"));
    for (auto it = options.environment.begin(); it != options.environment.end(); ++it)
        env.insert(it.key(), it.value());
    m_process.setProcessEnvironment(env);
    m_output.clear();
    m_port = 0;
    m_process.start(daemonPath(), {});
    if (!m_process.waitForStarted(10000)) {
        *error = QStringLiteral("cannot run %1: %2").arg(daemonPath(), m_process.errorString());
        return false;
    }
    if (options.expectFailure) {
        if (!m_process.waitForFinished(20000)) {
            *error = QStringLiteral("the daemon did not exit");
            return false;
        }
        m_output += m_process.readAll();
        return true;
    }
    return waitForListening(error);
}

bool DaemonProcess::waitForListening(QString *error)
{
    static const QRegularExpression pattern(
        QStringLiteral(R"(listening on (?:http://127\.0\.0\.1:(\d+)/|unix:))"));
    QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired()) {
        const auto match = pattern.match(QString::fromUtf8(m_output));
        if (match.hasMatch()) {
            m_port = static_cast<quint16>(match.captured(1).toUInt());
            return true;
        }
        if (m_process.state() == QProcess::NotRunning) {
            *error = QStringLiteral("the daemon exited with code %1").arg(m_process.exitCode());
            return false;
        }
        m_process.waitForReadyRead(100);
        m_output += m_process.readAll();
    }
    *error = QStringLiteral("the daemon did not report its port within 20 s");
    return false;
}

void DaemonProcess::kill9()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    ::kill(static_cast<pid_t>(m_process.processId()), SIGKILL);
    m_process.waitForFinished(5000);
}

void DaemonProcess::shutdown()
{
    kill9();
    cleanupProcesses();
}

void DaemonProcess::terminate()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    m_process.waitForFinished(10000);
}

bool DaemonProcess::restart()
{
    if (m_process.state() != QProcess::NotRunning)
        kill9();
    return start(m_options);
}

QUrl DaemonProcess::url(const QString &pathAndQuery) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(pathAndQuery));
}

QString DaemonProcess::output() const
{
    return QString::fromUtf8(m_output);
}

QByteArray DaemonProcess::tmux(const QStringList &arguments, int *exitCode) const
{
    QProcess process;
    process.setProcessEnvironment(environment());
    process.start(QStringLiteral("tmux"), arguments);
    process.waitForFinished(10000);
    if (exitCode)
        *exitCode = process.exitCode();
    return process.readAllStandardOutput();
}

void DaemonProcess::cleanupProcesses()
{
    int code = 0;
    tmux({QStringLiteral("kill-server")}, &code);
    // The daemon's Xvfbs outlive it by design; a test leaves none behind.
    for (const qint64 pid :
         ProcessInfo::findByArgumentPrefix(QStringLiteral("Xvfb"), m_stateDir + u'/'))
        ::kill(static_cast<pid_t>(pid), SIGKILL);
    for (const qint64 pid : ProcessInfo::findByArgumentPrefix(QStringLiteral("qemu-system-x86_64"),
                                                              QStringLiteral("unix:") + m_stateDir))
        ::kill(static_cast<pid_t>(pid), SIGKILL);
}
