#pragma once

#include <QMap>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

// A throwaway OpenSSH server for a test (the C++ twin of sshd.bash): host and user keys
// made with ssh-keygen, /usr/sbin/sshd on 127.0.0.1 on a free port; kill() ends the
// listener and its connections' processes (a crash or a reboot), restart() reuses the port.
class SshServer
{
public:
    // Every entry of sessionEnvironment is set in the sessions it starts (sshd SetEnv).
    explicit SshServer(QMap<QString, QString> sessionEnvironment = {});
    ~SshServer();
    SshServer(const SshServer &) = delete;
    SshServer &operator=(const SshServer &) = delete;

    bool start(QString *error = nullptr);
    void kill();    // SIGKILL to the listener and its sessions, as a crash or a reboot would
    void stop();    // SIGTERM to all of them, and wait
    bool restart(); // start again on the same port with the same keys
    bool isRunning() const { return m_process.state() == QProcess::Running; }

    quint16 port() const { return m_port; }
    QString dir() const { return m_dir.path(); }
    QString userKey() const { return m_dir.path() + QStringLiteral("/user_ed25519"); }
    QString user() const;
    QString destination() const { return user() + QStringLiteral("@127.0.0.1"); }
    QString log() const;
    // ssh options that reach this server with `key` (the authorized one by default), with no
    // host key checks, no prompts and no ~/.ssh/config.
    QStringList clientOptions(const QString &key = {}) const;
    // A key pair that the server does not accept; returns the private key's path.
    QString makeUnauthorizedKey() const;

    static QString sshdPath();

private:
    bool generateKeys(QString *error);
    bool writeConfig();
    bool launch(QString *error);

    QTemporaryDir m_dir;
    QMap<QString, QString> m_environment;
    QProcess m_process;
    QByteArray m_output;
    quint16 m_port = 0;
};
