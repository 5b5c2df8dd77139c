#pragma once

#include <chrono>
#include <functional>

#include <QObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTimer>

// What an external tool did: how it ended and what it printed.
struct ToolResult
{
    bool started = false; // false: the program could not be run at all
    bool timedOut = false;
    int exitCode = -1;
    QByteArray standardOutput;
    QByteArray standardError;
    QString program;
    QString failure; // empty on success; otherwise a sentence naming the tool and its stderr

    bool ok() const { return failure.isEmpty(); }
};

// One run of an external tool (tmux, import, ...) through QProcess with an argument list and a
// deadline. Emits finished() exactly once, then deletes itself.
class ToolProcess : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ToolProcess)

public:
    static constexpr std::chrono::milliseconds DefaultTimeout{10000};

    ToolProcess(QString program, QStringList arguments, QObject *parent = nullptr);

    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }
    void setStandardInput(QByteArray data) { m_input = std::move(data); }
    void setEnvironment(const QProcessEnvironment &env) { m_process.setProcessEnvironment(env); }
    void setWorkingDirectory(const QString &dir) { m_process.setWorkingDirectory(dir); }
    void setMaxOutputBytes(qint64 bytes) { m_maxOutput = bytes; }
    void start();

    // Runs a tool and hands its result to done, unless context is destroyed first.
    static void run(const QString &program, const QStringList &arguments, QObject *context,
                    std::function<void(const ToolResult &)> done,
                    std::chrono::milliseconds timeout = DefaultTimeout);

Q_SIGNALS:
    void finished(const ToolResult &result);

private:
    void finish(ToolResult result);
    QString describe() const;

    QProcess m_process;
    QTimer m_deadline;
    QString m_program;
    QStringList m_arguments;
    QByteArray m_input;
    QByteArray m_stdout;
    QByteArray m_stderr;
    std::chrono::milliseconds m_timeout = DefaultTimeout;
    qint64 m_maxOutput = 64 * 1024 * 1024;
    bool m_done = false;
};
