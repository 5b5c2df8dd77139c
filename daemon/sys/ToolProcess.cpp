#include "sys/ToolProcess.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcTool, "manager.tool")

ToolProcess::ToolProcess(QString program, QStringList arguments, QObject *parent)
    : QObject(parent), m_program(std::move(program)), m_arguments(std::move(arguments))
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        ToolResult result;
        result.started = true;
        result.timedOut = true;
        result.failure =
            QStringLiteral("%1 did not finish within %2 ms").arg(describe()).arg(m_timeout.count());
        m_process.kill();
        finish(std::move(result));
    });
    connect(&m_process, &QProcess::readyReadStandardOutput, this, [this] {
        m_stdout += m_process.readAllStandardOutput();
        if (m_stdout.size() > m_maxOutput) {
            m_process.kill();
            ToolResult result;
            result.started = true;
            result.failure =
                QStringLiteral("%1 printed more than %2 bytes").arg(describe()).arg(m_maxOutput);
            finish(std::move(result));
        }
    });
    connect(&m_process, &QProcess::readyReadStandardError, this, [this] {
        m_stderr += m_process.readAllStandardError();
        if (m_stderr.size() > 65536)
            m_stderr = m_stderr.right(65536);
    });
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return; // crashes and kills are reported through finished()
        ToolResult result;
        result.failure =
            QStringLiteral("cannot run %1: %2").arg(m_program, m_process.errorString());
        finish(std::move(result));
    });
    connect(&m_process, &QProcess::finished, this,
            [this](int exitCode, QProcess::ExitStatus status) {
                m_stdout += m_process.readAllStandardOutput();
                m_stderr += m_process.readAllStandardError();
                ToolResult result;
                result.started = true;
                result.exitCode = exitCode;
                if (status == QProcess::CrashExit)
                    result.failure = QStringLiteral("%1 crashed").arg(describe());
                else if (exitCode != 0)
                    result.failure =
                        QStringLiteral("%1 failed with exit code %2").arg(describe()).arg(exitCode);
                const QString err = QString::fromUtf8(m_stderr).trimmed();
                if (!result.failure.isEmpty() && !err.isEmpty())
                    result.failure += QStringLiteral(": ") + err;
                finish(std::move(result));
            });
}

QString ToolProcess::describe() const
{
    QString text = m_program;
    if (!m_arguments.isEmpty())
        text += u' ' + m_arguments.first();
    return text;
}

void ToolProcess::start()
{
    m_deadline.start(m_timeout);
    m_process.setProgram(m_program);
    m_process.setArguments(m_arguments);
    m_process.start(m_input.isNull() ? QIODevice::ReadOnly : QIODevice::ReadWrite);
    if (!m_input.isNull()) {
        m_process.write(m_input);
        m_process.closeWriteChannel();
    }
}

void ToolProcess::finish(ToolResult result)
{
    if (m_done)
        return;
    m_done = true;
    m_deadline.stop();
    result.program = m_program;
    result.standardOutput = std::move(m_stdout);
    result.standardError = std::move(m_stderr);
    if (!result.ok())
        qCDebug(lcTool) << result.failure;
    Q_EMIT finished(result);
    // QProcess must not be destroyed while its child runs; a killed child is reaped first.
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        connect(&m_process, &QProcess::finished, this, &QObject::deleteLater);
    } else {
        deleteLater();
    }
}

void ToolProcess::run(const QString &program, const QStringList &arguments, QObject *context,
                      std::function<void(const ToolResult &)> done,
                      std::chrono::milliseconds timeout)
{
    auto *tool = new ToolProcess(program, arguments);
    tool->setTimeout(timeout);
    QObject::connect(tool, &ToolProcess::finished, context, std::move(done));
    tool->start();
}
