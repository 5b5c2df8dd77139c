#pragma once

#include <chrono>
#include <memory>

#include <QList>
#include <QObject>
#include <QTimer>

#include "HostSettings.h"
#include "SshTunnel.h"
#include "shared/ApiClient.h"
#include "shared/BackendInfo.h"
#include "shared/Sandbox.h"

class QNetworkAccessManager;

// One watched host: its SSH tunnel (or direct URL), an ApiClient on it, and the poll of its
// sandbox list every two seconds. Tells apart a tunnel that is down from a daemon that is.
class HostConnection : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HostConnection)

public:
    enum class State
    {
        Stopped,
        Connecting,
        Connected,
        AuthFailed,
        Unreachable,
        DaemonNotRunning,
        Error // the daemon answered, but not with a sandbox list
    };
    Q_ENUM(State)

    static constexpr std::chrono::milliseconds PollInterval{2000};

    HostConnection(HostSettings settings, QNetworkAccessManager &network,
                   QObject *parent = nullptr);
    ~HostConnection() override;

    const HostSettings &settings() const { return m_settings; }
    QString name() const { return m_settings.name; }
    State state() const { return m_state; }
    bool isUp() const { return m_state == State::Connected; }
    QString stateText() const { return m_stateText; } // ssh's or the daemon's own words
    QString summary() const;                          // "unreachable: ssh: connect to ..."
    ApiClient &api() { return m_api; }
    SshTunnel *tunnel() const { return m_tunnel.get(); }
    const QList<Sandbox> &sandboxes() const { return m_sandboxes; }
    const QList<BackendInfo> &backends() const { return m_backends; }

    void start();
    void stop();
    void reconnect();
    void pollNow();

    static QString toString(State state);

Q_SIGNALS:
    void stateChanged(HostConnection::State state);
    void sandboxesUpdated(const QList<Sandbox> &sandboxes);
    void backendsUpdated(const QList<BackendInfo> &backends);

private:
    void setState(State state, const QString &text = {});
    void tunnelStateChanged(SshTunnel::State state);
    void poll();
    void pollFailed(const ApiFailure &failure);
    void fetchBackends();

    HostSettings m_settings;
    std::unique_ptr<SshTunnel> m_tunnel;
    ApiClient m_api;
    QTimer m_pollTimer;
    State m_state = State::Stopped;
    QString m_stateText;
    QList<Sandbox> m_sandboxes;
    QList<BackendInfo> m_backends;
    bool m_pollInFlight = false;
    bool m_backendsKnown = false;
};
