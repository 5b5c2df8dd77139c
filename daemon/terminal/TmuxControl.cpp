#include "terminal/TmuxControl.h"

#include <QLoggingCategory>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTimer>

Q_LOGGING_CATEGORY(lcTmuxControl, "manager.terminal.tmux")

TmuxControl::TmuxControl(QString program, QString session, QObject *parent)
    : QObject(parent)
    , m_program(std::move(program))
    , m_session(std::move(session))
    , m_process(new QProcess)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("TMUX"));
    env.remove(QStringLiteral("TMUX_PANE"));
    m_process->setProcessEnvironment(env);
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &TmuxControl::onReadyRead);
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        const QByteArray error = m_process->readAllStandardError().left(500).trimmed();
        if (!error.isEmpty())
            qCWarning(lcTmuxControl) << "tmux control client of" << m_session << ":" << error;
    });
    connect(m_process, &QProcess::finished, this, [this] {
        if (m_exited)
            return;
        m_exited = true;
        while (!m_pending.isEmpty()) {
            if (const Done done = m_pending.dequeue())
                done(Reply{});
        }
        Q_EMIT exited(QStringLiteral("the terminal's tmux session ended"));
    });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart || m_exited)
            return;
        m_exited = true;
        Q_EMIT exited(QStringLiteral("cannot run tmux: ") + m_process->errorString());
    });
}

TmuxControl::~TmuxControl()
{
    m_exited = true;
    m_process->disconnect(this);
    if (m_process->state() == QProcess::NotRunning) {
        delete m_process;
        return;
    }
    // Closing stdin detaches the control client and tmux exits; it is reaped when it does
    // (never waited for here), or killed if it does not.
    QProcess *process = m_process;
    connect(process, &QProcess::finished, process, &QObject::deleteLater);
    QTimer::singleShot(ExitGrace, process, [process] { process->kill(); });
    process->closeWriteChannel();
}

void TmuxControl::start()
{
    // -u: the pane is UTF-8 whatever the daemon's locale; ignore-size: this client never
    // sizes the window unless it asks to (refresh-client -C).
    m_process->start(m_program,
                     {QStringLiteral("-u"), QStringLiteral("-C"), QStringLiteral("attach-session"),
                      QStringLiteral("-f"), QStringLiteral("ignore-size"), QStringLiteral("-t"),
                      u'=' + m_session});
    // The attach itself is answered with a block of its own (flags 0): not one of ours.
}

bool TmuxControl::isRunning() const
{
    return !m_exited && m_process->state() != QProcess::NotRunning;
}

bool TmuxControl::isBusy() const
{
    return m_pending.size() >= MaxQueuedCommands || m_process->bytesToWrite() > MaxUnwrittenBytes;
}

bool TmuxControl::command(const QByteArray &line, Done done)
{
    if (!isRunning() || isBusy() || line.contains('\n'))
        return false;
    m_pending.enqueue(std::move(done));
    m_process->write(line + '\n');
    return true;
}

QByteArray TmuxControl::quote(const QString &text)
{
    QByteArray out = text.toUtf8();
    out.replace('\'', "'\\''");
    return '\'' + out + '\'';
}

QByteArray TmuxControl::decodeOutput(QByteArrayView escaped)
{
    QByteArray out;
    out.reserve(escaped.size());
    for (qsizetype i = 0; i < escaped.size(); ++i) {
        const char c = escaped[i];
        if (c == '\\' && i + 3 < escaped.size() && escaped[i + 1] >= '0' && escaped[i + 1] <= '7' &&
            escaped[i + 2] >= '0' && escaped[i + 2] <= '7' && escaped[i + 3] >= '0' &&
            escaped[i + 3] <= '7') {
            out.append(char(((escaped[i + 1] - '0') << 6) | ((escaped[i + 2] - '0') << 3) |
                            (escaped[i + 3] - '0')));
            i += 3;
        } else {
            out.append(c);
        }
    }
    return out;
}

void TmuxControl::onReadyRead()
{
    m_buffer.append(m_process->readAllStandardOutput());
    qsizetype start = 0;
    for (;;) {
        const qsizetype newline = m_buffer.indexOf('\n', start);
        if (newline < 0)
            break;
        qsizetype end = newline;
        if (end > start && m_buffer[end - 1] == '\r')
            --end;
        handleLine(m_buffer.mid(start, end - start));
        start = newline + 1;
    }
    m_buffer.remove(0, start);
    if (m_buffer.size() > MaxLineBytes) {
        qCWarning(lcTmuxControl) << "tmux control client of" << m_session
                                 << "sent an overlong line; dropping it";
        m_buffer.clear();
    }
}

void TmuxControl::handleLine(const QByteArray &line)
{
    if (m_inBlock) {
        // Inside a block every line is the command's output, even one starting with '%'.
        const bool end = line.startsWith("%end ") || line.startsWith("%error ");
        if (end && line.mid(line.indexOf(' ') + 1) == m_blockEnd) {
            m_inBlock = false;
            if (m_blockOurs) {
                m_reply.ok = line.startsWith("%end ");
                const Done done = m_pending.isEmpty() ? Done() : m_pending.dequeue();
                if (done)
                    done(m_reply);
            }
            m_reply = Reply{};
            return;
        }
        if (m_blockOurs)
            m_reply.lines.append(line);
        return;
    }
    if (line.startsWith("%begin ")) {
        m_blockEnd = line.mid(7);
        m_inBlock = true;
        // The flags field is 1 for a command this client sent.
        m_blockOurs = m_blockEnd.endsWith(" 1");
        m_reply = Reply{};
        return;
    }
    if (line.startsWith("%output ")) {
        const qsizetype space = line.indexOf(' ', 8);
        if (space < 0)
            return;
        Q_EMIT output(line.mid(8, space - 8), decodeOutput(QByteArrayView(line).sliced(space + 1)));
        return;
    }
    if (line.startsWith("%layout-change ")) {
        // %layout-change @0 a25d,80x20,0,0,0 …: the window's size is the first WxH.
        static const QRegularExpression size(QStringLiteral(",(\\d+)x(\\d+),"));
        const auto match = size.match(QString::fromLatin1(line));
        if (match.hasMatch())
            Q_EMIT layoutChanged(match.captured(1).toInt(), match.captured(2).toInt());
        return;
    }
    if (line.startsWith("%exit")) {
        m_exited = true;
        while (!m_pending.isEmpty()) {
            if (const Done done = m_pending.dequeue())
                done(Reply{});
        }
        Q_EMIT exited(QStringLiteral("the terminal's tmux session ended"));
        m_process->closeWriteChannel();
    }
}
