#include "SshServer.h"

#include <signal.h>
#include <unistd.h>

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QMultiHash>
#include <QStandardPaths>
#include <QTcpServer>

namespace {

bool run(const QString &program, const QStringList &arguments, QString *error)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        if (error)
            *error = QStringLiteral("%1 failed: %2")
                         .arg(program, QString::fromLocal8Bit(process.readAll()));
        return false;
    }
    return true;
}

// The listener and every process below it: sshd's per-connection processes start their own
// sessions, so the listener's process group does not hold them.
QList<pid_t> processTree(pid_t root)
{
    QMultiHash<pid_t, pid_t> children;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &entry : entries) {
        bool ok = false;
        const pid_t pid = static_cast<pid_t>(entry.toInt(&ok));
        if (!ok)
            continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = stat.readAll();
        const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 1)
            children.insert(static_cast<pid_t>(fields.at(1).toInt()), pid);
    }
    QList<pid_t> tree{root};
    for (qsizetype i = 0; i < tree.size(); ++i)
        tree += children.values(tree.at(i));
    return tree;
}

quint16 freePort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

} // namespace

SshServer::SshServer(QMap<QString, QString> sessionEnvironment)
    : m_environment(std::move(sessionEnvironment))
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    QObject::connect(&m_process, &QProcess::readyRead, &m_process,
                     [this] { m_output += m_process.readAll(); });
    // Its own session, out of the test runner's process group and terminal.
    m_process.setChildProcessModifier([] { ::setsid(); });
}

SshServer::~SshServer()
{
    stop();
}

QString SshServer::sshdPath()
{
    const QString found = QStandardPaths::findExecutable(
        QStringLiteral("sshd"), {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/local/sbin")});
    return found.isEmpty() ? QStringLiteral("/usr/sbin/sshd") : found;
}

QString SshServer::user() const
{
    const QByteArray name = qgetenv("USER");
    if (!name.isEmpty())
        return QString::fromLocal8Bit(name);
    return ::geteuid() == 0 ? QStringLiteral("root") : QString::fromLocal8Bit(qgetenv("LOGNAME"));
}

QString SshServer::log() const
{
    return QString::fromLocal8Bit(m_output);
}

bool SshServer::generateKeys(QString *error)
{
    const QString dir = m_dir.path();
    for (const QString &name : {QStringLiteral("host_ed25519"), QStringLiteral("user_ed25519")}) {
        if (QFile::exists(dir + u'/' + name))
            continue;
        if (!run(QStringLiteral("ssh-keygen"),
                 {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                  QStringLiteral("-N"), QString(), QStringLiteral("-C"),
                  QStringLiteral("sshd-test"), QStringLiteral("-f"), dir + u'/' + name},
                 error))
            return false;
    }
    QFile::remove(dir + QStringLiteral("/authorized_keys"));
    return QFile::copy(dir + QStringLiteral("/user_ed25519.pub"),
                       dir + QStringLiteral("/authorized_keys"));
}

QString SshServer::makeUnauthorizedKey() const
{
    const QString path = m_dir.path() + QStringLiteral("/stranger_ed25519");
    if (!QFile::exists(path))
        run(QStringLiteral("ssh-keygen"),
            {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
             QStringLiteral("-N"), QString(), QStringLiteral("-f"), path},
            nullptr);
    return path;
}

bool SshServer::writeConfig()
{
    const QString dir = m_dir.path();
    QFile config(dir + QStringLiteral("/sshd_config"));
    if (!config.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    QByteArray text = "Port " + QByteArray::number(m_port) + "\nListenAddress 127.0.0.1\n";
    text += "HostKey " + dir.toLocal8Bit() + "/host_ed25519\n";
    text += "PidFile " + dir.toLocal8Bit() + "/sshd.pid\n";
    text += "AuthorizedKeysFile " + dir.toLocal8Bit() + "/authorized_keys\n";
    text += "UsePAM no\nStrictModes no\nPermitRootLogin prohibit-password\n"
            "PubkeyAuthentication yes\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nAllowTcpForwarding yes\nX11Forwarding no\n"
            "PrintMotd no\nPrintLastLog no\nLogLevel VERBOSE\n";
    if (!m_environment.isEmpty()) {
        // One SetEnv line: sshd uses the first one it reads.
        text += "SetEnv";
        for (auto it = m_environment.cbegin(); it != m_environment.cend(); ++it)
            text += " \"" + it.key().toLocal8Bit() + '=' + it.value().toLocal8Bit() + '"';
        text += '\n';
    }
    config.write(text);
    return true;
}

bool SshServer::launch(QString *error)
{
    if (::geteuid() == 0)
        QDir().mkpath(QStringLiteral("/run/sshd")); // sshd's privilege separation directory
    if (!writeConfig()) {
        if (error)
            *error = QStringLiteral("cannot write sshd_config");
        return false;
    }
    m_output.clear();
    m_process.setStandardInputFile(QProcess::nullDevice());
    m_process.start(sshdPath(), {QStringLiteral("-D"), QStringLiteral("-e"), QStringLiteral("-f"),
                                 m_dir.path() + QStringLiteral("/sshd_config")});
    if (!m_process.waitForStarted(10000)) {
        if (error)
            *error = QStringLiteral("cannot run %1: %2").arg(sshdPath(), m_process.errorString());
        return false;
    }
    const QByteArray listening = "Server listening on 127.0.0.1 port " + QByteArray::number(m_port);
    QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired()) {
        if (m_output.contains(listening))
            return true;
        if (m_process.state() == QProcess::NotRunning)
            break;
        m_process.waitForReadyRead(100);
        m_output += m_process.readAll();
    }
    if (error)
        *error = QStringLiteral("sshd did not start: ") + log();
    kill();
    return false;
}

bool SshServer::start(QString *error)
{
    if (!generateKeys(error))
        return false;
    for (int attempt = 0; attempt < 10; ++attempt) {
        m_port = freePort();
        QString why;
        if (launch(&why))
            return true;
        // Lost a race for the port: try another. Anything else is an error.
        if (!why.contains(QLatin1StringView("Address already in use"))) {
            if (error)
                *error = why;
            return false;
        }
    }
    if (error)
        *error = QStringLiteral("no free port for sshd");
    return false;
}

bool SshServer::restart()
{
    kill();
    QString error;
    // The old listener's socket may linger a moment; sshd sets SO_REUSEADDR, so retry briefly.
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        if (launch(&error))
            return true;
        if (!error.contains(QLatin1StringView("Address already in use")))
            break;
    }
    qWarning().noquote() << "sshd restart failed:" << error;
    return false;
}

void SshServer::kill()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    for (const pid_t pid : processTree(static_cast<pid_t>(m_process.processId())))
        ::kill(pid, SIGKILL);
    m_process.waitForFinished(5000);
}

void SshServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    for (const pid_t pid : processTree(static_cast<pid_t>(m_process.processId())))
        ::kill(pid, SIGTERM);
    if (!m_process.waitForFinished(5000))
        kill();
}

QStringList SshServer::clientOptions(const QString &key) const
{
    return {QStringLiteral("-F"), QStringLiteral("/dev/null"),
            QStringLiteral("-p"), QString::number(m_port),
            QStringLiteral("-i"), key.isEmpty() ? userKey() : key,
            QStringLiteral("-o"), QStringLiteral("IdentitiesOnly=yes"),
            QStringLiteral("-o"), QStringLiteral("StrictHostKeyChecking=no"),
            QStringLiteral("-o"), QStringLiteral("UserKnownHostsFile=/dev/null"),
            QStringLiteral("-o"), QStringLiteral("GlobalKnownHostsFile=/dev/null")};
}
