#include "SshTunnel.h"

#include <QLoggingCategory>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>

Q_LOGGING_CATEGORY(lcTunnel, "viewer.tunnel")

namespace {

constexpr qsizetype MaxStderrBytes = 16 * 1024;
constexpr int MaxErrorLines = 4;
constexpr int MaxBindRetries = 5;

bool containsAny(const QString &text, std::initializer_list<QLatin1StringView> needles)
{
    for (const QLatin1StringView needle : needles) {
        if (text.contains(needle, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

bool isAuthFailure(const QString &text)
{
    return containsAny(text, {QLatin1StringView("Permission denied"),
                              QLatin1StringView("Host key verification failed"),
                              QLatin1StringView("Too many authentication failures"),
                              QLatin1StringView("No more authentication methods"),
                              QLatin1StringView("REMOTE HOST IDENTIFICATION HAS CHANGED")});
}

bool isUnreachable(const QString &text)
{
    return containsAny(
        text,
        {QLatin1StringView("Connection refused"), QLatin1StringView("timed out"),
         QLatin1StringView("No route to host"), QLatin1StringView("Could not resolve"),
         QLatin1StringView("Name or service not known"),
         QLatin1StringView("Network is unreachable"), QLatin1StringView("Connection closed"),
         QLatin1StringView("Connection reset"), QLatin1StringView("kex_exchange_identification"),
         QLatin1StringView("closed by remote host"), QLatin1StringView("Broken pipe"),
         QLatin1StringView("not responding")});
}

bool isBindFailure(const QString &text)
{
    return containsAny(text, {QLatin1StringView("Address already in use"),
                              QLatin1StringView("cannot listen to port"),
                              QLatin1StringView("Could not request local forwarding")});
}

bool isNoise(const QString &line)
{
    // StrictHostKeyChecking=no and friends print this on every connection.
    return line.startsWith(u"Warning: Permanently added") || line.trimmed().isEmpty();
}

} // namespace

SshTunnel::SshTunnel(Config config, QObject *parent) : QObject(parent), m_config(std::move(config))
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &SshTunnel::launch);
    m_probeTimer.setInterval(ProbeInterval);
    connect(&m_probeTimer, &QTimer::timeout, this, &SshTunnel::probe);
    m_deadline.setSingleShot(true);
    m_deadline.setInterval(ConnectDeadline);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        qCInfo(lcTunnel) << "no forward to" << m_config.destination << "within the deadline";
        scheduleRetry(
            State::Unreachable,
            lastErrorLines().isEmpty()
                ? QStringLiteral("ssh did not connect within %1 s")
                      .arg(
                          std::chrono::duration_cast<std::chrono::seconds>(ConnectDeadline).count())
                : lastErrorLines());
        killProcess();
    });
}

SshTunnel::~SshTunnel()
{
    m_retryTimer.stop();
    killProcess();
}

QString SshTunnel::toString(State state)
{
    switch (state) {
    case State::Idle:
        return QStringLiteral("not connected");
    case State::Connecting:
        return QStringLiteral("connecting");
    case State::Connected:
        return QStringLiteral("connected");
    case State::Reconnecting:
        return QStringLiteral("reconnecting");
    case State::AuthFailed:
        return QStringLiteral("authentication failed");
    case State::Unreachable:
        return QStringLiteral("unreachable");
    case State::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

quint16 SshTunnel::freeLocalPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

QUrl SshTunnel::url() const
{
    if (m_localPort == 0)
        return {};
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_localPort));
}

void SshTunnel::setBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds maximum)
{
    m_initialBackoff = initial;
    m_maximumBackoff = maximum;
    m_backoff = initial;
}

QStringList SshTunnel::arguments(quint16 localPort) const
{
    // Ours first: ssh keeps the first value it reads for an option, and these are what the
    // tunnel relies on (no prompt can be answered, a forward that fails must end ssh).
    QStringList args{
        QStringLiteral("-N"),
        QStringLiteral("-o"),
        QStringLiteral("ExitOnForwardFailure=yes"),
        QStringLiteral("-o"),
        QStringLiteral("BatchMode=yes"),
        QStringLiteral("-L"),
        m_config.remoteSocket.isEmpty()
            ? QStringLiteral("127.0.0.1:%1:127.0.0.1:%2").arg(localPort).arg(m_config.remotePort)
            : QStringLiteral("127.0.0.1:%1:%2").arg(localPort).arg(m_config.remoteSocket)};
    args += m_config.extraOptions;
    // Defaults the user's own options may override.
    args += {QStringLiteral("-o"), QStringLiteral("ServerAliveInterval=%1").arg(ServerAliveSeconds),
             QStringLiteral("-o"), QStringLiteral("ConnectTimeout=%1").arg(ConnectTimeoutSeconds),
             QStringLiteral("--"), m_config.destination};
    return args;
}

void SshTunnel::start()
{
    if (m_process || m_retryTimer.isActive())
        return;
    m_backoff = m_initialBackoff;
    launch();
}

void SshTunnel::stop()
{
    m_retryTimer.stop();
    killProcess();
    m_wasConnected = false;
    setState(State::Idle);
}

void SshTunnel::reconnectNow()
{
    m_retryTimer.stop();
    killProcess();
    m_backoff = m_initialBackoff;
    launch();
}

void SshTunnel::launch()
{
    killProcess();
    m_stderr.clear();
    m_errorLines.clear();
    m_channelError.clear();
    m_localPort = freeLocalPort();
    m_process = new QProcess(this);
    m_process->setProgram(m_config.program);
    m_process->setArguments(arguments(m_localPort));
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->setStandardOutputFile(QProcess::nullDevice());
    connect(m_process, &QProcess::readyReadStandardError, this, &SshTunnel::readStandardError);
    connect(m_process, &QProcess::finished, this, &SshTunnel::processFinished);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return;
        const QString why =
            QStringLiteral("cannot run %1: %2").arg(m_config.program, m_process->errorString());
        killProcess();
        scheduleRetry(State::Failed, why);
    });
    qCDebug(lcTunnel).noquote() << "starting" << m_config.program
                                << m_process->arguments().join(u' ');
    setState(State::Connecting, m_errorText);
    m_process->start();
    m_deadline.start();
    m_probeTimer.start();
}

void SshTunnel::killProcess()
{
    m_probeTimer.stop();
    m_deadline.stop();
    if (m_probeSocket) {
        m_probeSocket->abort();
        m_probeSocket->deleteLater();
        m_probeSocket = nullptr;
    }
    if (!m_process)
        return;
    QProcess *process = std::exchange(m_process, nullptr);
    process->disconnect(this);
    if (process->state() == QProcess::NotRunning) {
        process->deleteLater();
        return;
    }
    // Reaped when it has gone, even after this tunnel is destroyed; no waiting here.
    process->setParent(nullptr);
    connect(process, &QProcess::finished, process, &QObject::deleteLater);
    process->kill();
}

void SshTunnel::setState(State state, const QString &errorText)
{
    if (state == m_state && errorText == m_errorText)
        return;
    m_state = state;
    m_errorText = errorText;
    qCInfo(lcTunnel).noquote() << m_config.destination << toString(state) << errorText;
    Q_EMIT stateChanged(state);
}

void SshTunnel::readStandardError()
{
    if (!m_process)
        return;
    m_stderr += m_process->readAllStandardError();
    if (m_stderr.size() > MaxStderrBytes)
        m_stderr = m_stderr.right(MaxStderrBytes);
    qsizetype newline = -1;
    while ((newline = m_stderr.indexOf('\n')) >= 0) {
        const QString line = QString::fromLocal8Bit(m_stderr.left(newline)).trimmed();
        m_stderr.remove(0, newline + 1);
        if (isNoise(line))
            continue;
        qCDebug(lcTunnel).noquote() << m_config.destination << "ssh:" << line;
        if (line.contains(u"open failed")) {
            // The tunnel is fine; nothing listens on the remote port.
            m_channelError = line;
            Q_EMIT channelFailed(line);
            continue;
        }
        m_errorLines.append(line);
        while (m_errorLines.size() > MaxErrorLines)
            m_errorLines.removeFirst();
    }
}

QString SshTunnel::lastErrorLines() const
{
    QStringList lines = m_errorLines;
    const QString partial = QString::fromLocal8Bit(m_stderr).trimmed();
    if (!partial.isEmpty() && !isNoise(partial))
        lines.append(partial);
    return lines.join(u'\n');
}

void SshTunnel::probe()
{
    if (m_probeSocket || !m_process)
        return;
    // The forward listens only once ssh has authenticated and set it up.
    m_probeSocket = new QTcpSocket(this);
    QTcpSocket *socket = m_probeSocket;
    connect(socket, &QTcpSocket::connected, this, [this, socket] {
        socket->abort();
        socket->deleteLater();
        m_probeSocket = nullptr;
        m_probeTimer.stop();
        m_deadline.stop();
        m_backoff = m_initialBackoff;
        m_bindFailures = 0;
        m_wasConnected = true;
        setState(State::Connected);
    });
    connect(socket, &QTcpSocket::errorOccurred, this, [this, socket] {
        socket->deleteLater();
        if (m_probeSocket == socket)
            m_probeSocket = nullptr;
    });
    socket->connectToHost(QHostAddress::LocalHost, m_localPort);
}

void SshTunnel::processFinished()
{
    readStandardError();
    const QString errors = lastErrorLines();
    const int exitCode = m_process ? m_process->exitCode() : -1;
    killProcess();
    const QString text =
        errors.isEmpty() ? QStringLiteral("ssh exited with status %1").arg(exitCode) : errors;
    qCInfo(lcTunnel).noquote() << m_config.destination << "ssh ended:" << text;

    if (isBindFailure(errors) && ++m_bindFailures <= MaxBindRetries) {
        launch(); // another program took the port we picked: pick again at once
        return;
    }
    if (isAuthFailure(errors)) {
        m_wasConnected = false;
        setState(State::AuthFailed, text);
        return;
    }
    if (std::exchange(m_wasConnected, false)) {
        scheduleRetry(State::Reconnecting, text);
        return;
    }
    scheduleRetry(isUnreachable(errors) ? State::Unreachable : State::Failed, text);
}

void SshTunnel::scheduleRetry(State state, const QString &errorText)
{
    setState(state, errorText);
    m_retryTimer.start(m_backoff);
    m_backoff = std::min(m_backoff * 2, m_maximumBackoff);
}
