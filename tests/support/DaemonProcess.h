#pragma once

#include <QMap>
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

// Runs the real claude-sandbox-manager binary for a test: its own state dir, tmux server
// (TMUX_TMPDIR) and port, with the stub backend script in a backends file. Tears all of it
// down (daemon, tmux server, Xvfbs) when destroyed.
class DaemonProcess : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QByteArray backendsJson;            // replaces the default test backends when set
        QMap<QString, QString> environment; // extra or overriding variables
        bool expectFailure = false;         // start() waits for exit instead of listening
    };

    explicit DaemonProcess(QObject *parent = nullptr);
    ~DaemonProcess() override;

    bool start();
    bool start(const Options &options);
    bool start(const Options &options, QString *error);
    void kill9();     // SIGKILL, as a crash would
    void shutdown();  // kill the daemon and everything it started (its tmux server, Xvfbs, VMs)
    void terminate(); // SIGTERM and wait
    bool restart();   // start again on the same state dir, tmux server and options
    int exitCode() const { return m_process.exitCode(); }
    bool isRunning() const { return m_process.state() == QProcess::Running; }
    qint64 pid() const { return m_process.processId(); }

    quint16 port() const { return m_port; }
    QUrl url(const QString &pathAndQuery = {}) const;
    QString stateDir() const { return m_stateDir; }
    QString tmuxDir() const { return m_tmuxDir; }
    QString projectDir() const { return m_projectDir; }
    QString workDir() const { return m_dir.path(); }
    QString output() const; // what the daemon printed so far

    // Runs tmux against the daemon's tmux server and returns its stdout.
    QByteArray tmux(const QStringList &arguments, int *exitCode = nullptr) const;
    QProcessEnvironment environment() const;

    static QString daemonPath();
    static QString stubBackend();
    static QString sourceDir();
    static QByteArray defaultBackends();

private:
    bool waitForListening(QString *error);
    void cleanupProcesses();

    QTemporaryDir m_dir;
    QString m_stateDir;
    QString m_tmuxDir;
    QString m_projectDir;
    QProcess m_process;
    QByteArray m_output;
    Options m_options;
    quint16 m_port = 0;
};
