#pragma once

#include <chrono>

#include <QObject>
#include <QStringList>
#include <QTimer>
#include <QUrl>

class QProcess;
class QTcpSocket;

// One `ssh -N -L` port forward to a daemon, run through QProcess: picks a free local port,
// reports its state with ssh's own error text, and reconnects with backoff when it drops.
class SshTunnel : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SshTunnel)

public:
    enum class State
    {
        Idle,         // not started, or stopped
        Connecting,   // ssh runs, the forward is not up yet
        Connected,    // the local port answers
        Reconnecting, // it was up and dropped; a new attempt is scheduled
        AuthFailed,   // ssh refused the key or the host key: no retry until reconnectNow()
        Unreachable,  // no connection to the server; a new attempt is scheduled
        Failed        // ssh ended for another reason; a new attempt is scheduled
    };
    Q_ENUM(State)

    struct Config
    {
        QString destination;
        QStringList extraOptions;
        quint16 remotePort = 3000;
        QString program = QStringLiteral("ssh");
        QString remoteSocket; // forwarded instead of remotePort when set
    };

    static constexpr std::chrono::milliseconds InitialBackoff{1000};
    static constexpr std::chrono::milliseconds MaximumBackoff{30000};
    static constexpr std::chrono::milliseconds ProbeInterval{150};
    static constexpr std::chrono::milliseconds ConnectDeadline{30000};
    static constexpr int ServerAliveSeconds = 15;
    static constexpr int ConnectTimeoutSeconds = 10;

    explicit SshTunnel(Config config, QObject *parent = nullptr);
    ~SshTunnel() override;

    void start();
    void stop();
    void reconnectNow();
    void setBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds maximum);

    State state() const { return m_state; }
    bool isConnected() const { return m_state == State::Connected; }
    QString errorText() const { return m_errorText; }
    // The last "channel N: open failed: ..." line: the remote port did not answer.
    QString channelError() const { return m_channelError; }
    quint16 localPort() const { return m_localPort; }
    QUrl url() const;
    std::chrono::milliseconds retryDelay() const { return m_backoff; }
    QStringList arguments(quint16 localPort) const;
    const Config &config() const { return m_config; }

    static QString toString(State state);
    static quint16 freeLocalPort();

Q_SIGNALS:
    void stateChanged(SshTunnel::State state);
    void channelFailed(const QString &line);

private:
    void launch();
    void setState(State state, const QString &errorText = {});
    void readStandardError();
    void probe();
    void processFinished();
    void scheduleRetry(State state, const QString &errorText);
    void killProcess();
    QString lastErrorLines() const;

    Config m_config;
    State m_state = State::Idle;
    QString m_errorText;
    QString m_channelError;
    QProcess *m_process = nullptr;
    QTcpSocket *m_probeSocket = nullptr;
    QByteArray m_stderr;
    QStringList m_errorLines;
    quint16 m_localPort = 0;
    bool m_wasConnected = false;
    int m_bindFailures = 0;
    std::chrono::milliseconds m_initialBackoff = InitialBackoff;
    std::chrono::milliseconds m_maximumBackoff = MaximumBackoff;
    std::chrono::milliseconds m_backoff = InitialBackoff;
    QTimer m_retryTimer;
    QTimer m_probeTimer;
    QTimer m_deadline;
};
