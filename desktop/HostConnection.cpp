#include "HostConnection.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcHost, "viewer.host")

HostConnection::HostConnection(HostSettings settings, QNetworkAccessManager &network,
                               QObject *parent)
    : QObject(parent), m_settings(std::move(settings)), m_api(network, m_settings.directUrl)
{
    m_api.setToken(m_settings.token);
    if (!m_settings.isDirect()) {
        m_tunnel = std::make_unique<SshTunnel>(
            SshTunnel::Config{.destination = m_settings.sshDestination,
                              .extraOptions = m_settings.sshOptionList(),
                              .remotePort = m_settings.remotePort,
                              .remoteSocket = m_settings.remoteSocket});
        connect(m_tunnel.get(), &SshTunnel::stateChanged, this,
                &HostConnection::tunnelStateChanged);
    }
    m_pollTimer.setInterval(PollInterval);
    connect(&m_pollTimer, &QTimer::timeout, this, &HostConnection::poll);
}

HostConnection::~HostConnection() = default;

QString HostConnection::toString(State state)
{
    switch (state) {
    case State::Stopped:
        return QStringLiteral("not connected");
    case State::Connecting:
        return QStringLiteral("connecting");
    case State::Connected:
        return QStringLiteral("connected");
    case State::AuthFailed:
        return QStringLiteral("authentication failed");
    case State::Unreachable:
        return QStringLiteral("unreachable");
    case State::DaemonNotRunning:
        return QStringLiteral("daemon not running");
    case State::Error:
        return QStringLiteral("error");
    }
    return {};
}

QString HostConnection::summary() const
{
    if (m_stateText.isEmpty())
        return toString(m_state);
    return toString(m_state) + QStringLiteral(": ") + m_stateText;
}

void HostConnection::start()
{
    if (m_tunnel) {
        setState(State::Connecting);
        m_tunnel->start();
        return;
    }
    setState(State::Connecting);
    m_pollTimer.start();
    poll();
}

void HostConnection::stop()
{
    m_pollTimer.stop();
    m_api.abortAll();
    if (m_tunnel)
        m_tunnel->stop();
    setState(State::Stopped);
}

void HostConnection::reconnect()
{
    if (m_tunnel) {
        m_pollTimer.stop();
        m_api.abortAll();
        m_tunnel->reconnectNow();
        return;
    }
    if (!m_pollTimer.isActive())
        m_pollTimer.start();
    poll();
}

void HostConnection::pollNow()
{
    poll();
}

void HostConnection::setState(State state, const QString &text)
{
    if (state == m_state && text == m_stateText)
        return;
    m_state = state;
    m_stateText = text;
    qCInfo(lcHost).noquote() << m_settings.name << summary();
    Q_EMIT stateChanged(state);
}

void HostConnection::tunnelStateChanged(SshTunnel::State state)
{
    switch (state) {
    case SshTunnel::State::Connected:
        m_api.setBaseUrl(m_tunnel->url());
        m_pollTimer.start();
        poll();
        return;
    case SshTunnel::State::Idle:
        m_pollTimer.stop();
        setState(State::Stopped);
        return;
    case SshTunnel::State::Connecting:
        m_pollTimer.stop();
        setState(State::Connecting, m_tunnel->errorText());
        return;
    case SshTunnel::State::Reconnecting:
    case SshTunnel::State::Unreachable:
    case SshTunnel::State::Failed:
        m_pollTimer.stop();
        m_api.abortAll();
        setState(State::Unreachable, m_tunnel->errorText());
        return;
    case SshTunnel::State::AuthFailed:
        m_pollTimer.stop();
        m_api.abortAll();
        setState(State::AuthFailed, m_tunnel->errorText());
        return;
    }
}

void HostConnection::poll()
{
    if (m_pollInFlight || m_api.baseUrl().isEmpty())
        return;
    if (m_tunnel && !m_tunnel->isConnected())
        return;
    m_pollInFlight = true;
    m_api.listSandboxes(this, [this](ApiResult<QList<Sandbox>> result) {
        m_pollInFlight = false;
        if (!result) {
            pollFailed(result.error());
            return;
        }
        setState(State::Connected);
        if (!m_backendsKnown)
            fetchBackends();
        if (*result == m_sandboxes)
            return;
        m_sandboxes = std::move(result).value();
        Q_EMIT sandboxesUpdated(m_sandboxes);
    });
}

void HostConnection::pollFailed(const ApiFailure &failure)
{
    switch (failure.kind) {
    case ApiFailure::Kind::Cancelled:
        return;
    case ApiFailure::Kind::Parse:
        setState(State::Error, failure.toString());
        return;
    case ApiFailure::Kind::Http:
        setState(failure.httpStatus == 401 || failure.httpStatus == 403 ? State::AuthFailed
                                                                        : State::Error,
                 failure.toString());
        return;
    case ApiFailure::Kind::Network:
        break;
    }
    if (m_tunnel) {
        // The tunnel is up, so ssh reached the server: what is missing is the daemon on it.
        const QString channel = m_tunnel->channelError();
        setState(State::DaemonNotRunning,
                 channel.isEmpty()
                     ? QStringLiteral("nothing answers on %1 of %2 (%3)")
                           .arg(m_settings.remoteSocket.isEmpty()
                                    ? QStringLiteral("port %1").arg(m_settings.remotePort)
                                    : QStringLiteral("socket %1").arg(m_settings.remoteSocket),
                                m_settings.sshDestination, failure.message)
                     : channel);
        return;
    }
    setState(failure.networkError == QNetworkReply::ConnectionRefusedError ? State::DaemonNotRunning
                                                                           : State::Unreachable,
             failure.message);
}

void HostConnection::fetchBackends()
{
    m_api.backends(this, [this](ApiResult<QList<BackendInfo>> result) {
        if (!result) {
            qCInfo(lcHost).noquote()
                << m_settings.name << "cannot list backends:" << result.error().toString();
            return;
        }
        m_backendsKnown = true;
        m_backends = std::move(result).value();
        Q_EMIT backendsUpdated(m_backends);
    });
}
