#include "terminal/TerminalSession.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>

#include "terminal/TmuxControl.h"

Q_LOGGING_CATEGORY(lcTerminal, "manager.terminal")

TerminalSession::TerminalSession(const QString &tmuxProgram, QString sandboxId, QString tmuxSession,
                                 QString scratchDir, QObject *parent)
    : QObject(parent)
    , m_sandboxId(std::move(sandboxId))
    , m_tmuxSession(std::move(tmuxSession))
    , m_scratchDir(std::move(scratchDir))
    , m_control(new TmuxControl(tmuxProgram, m_tmuxSession, this))
    , m_target(TmuxControl::quote(u'=' + m_tmuxSession + u':'))
{
    connect(m_control, &TmuxControl::output, this,
            [this](const QByteArray &pane, const QByteArray &bytes) {
                if (pane == m_paneId)
                    Q_EMIT output(bytes);
            });
    connect(m_control, &TmuxControl::layoutChanged, this, [this](int width, int height) {
        const QSize size(width, height);
        if (size == m_size)
            return;
        m_size = size;
        Q_EMIT sizeChanged(size);
    });
    connect(m_control, &TmuxControl::exited, this, [this](const QString &reason) {
        qCInfo(lcTerminal) << "terminal of sandbox" << m_sandboxId << "ended:" << reason;
        Q_EMIT ended(reason);
    });
}

TerminalSession::~TerminalSession() = default;

void TerminalSession::start()
{
    m_control->start();
    m_control->command("display-message -p -t " + m_target +
                           " '#{pane_id} #{window_width} "
                           "#{window_height}'",
                       [this](const TmuxControl::Reply &reply) {
                           if (!reply.ok || reply.lines.isEmpty())
                               return;
                           const QList<QByteArray> fields = reply.lines.first().split(' ');
                           m_paneId = fields.value(0);
                           m_size = QSize(fields.value(1).toInt(), fields.value(2).toInt());
                       });
}

bool TerminalSession::isRunning() const
{
    return m_control->isRunning();
}

bool TerminalSession::isBusy() const
{
    return m_control->isBusy();
}

void TerminalSession::screen(bool ansi, bool history, ScreenDone done)
{
    auto screen = std::make_shared<TerminalScreen>();
    const bool status = m_control->command(
        "display-message -p -t " + m_target + " '" + TerminalScreen::statusFormat() + '\'',
        [screen](const TmuxControl::Reply &reply) {
            if (!reply.ok || reply.lines.isEmpty() ||
                !TerminalScreen::parseStatus(reply.lines.first(), screen.get()))
                screen->cols = 0;
        });
    // Both commands go on one line: tmux runs them back to back, with no output between.
    const QByteArray flags = ansi ? "-p -e" : "-p";
    const QByteArray start = history ? " -S -" + QByteArray::number(HistoryLines) : QByteArray();
    const bool capture =
        status &&
        m_control->command("capture-pane " + flags + start + " -t " + m_target,
                           [this, screen, history, done](const TmuxControl::Reply &reply) {
                               if (!reply.ok || screen->cols <= 0) {
                                   done(std::nullopt);
                                   return;
                               }
                               QList<QByteArray> lines = reply.lines;
                               if (screen->alternate || !history) {
                                   // On the alternate screen there is no scrollback; -S still
                                   // counts rows.
                                   if (lines.size() > screen->rows)
                                       lines = lines.mid(lines.size() - screen->rows);
                               } else if (lines.size() > screen->rows) {
                                   screen->history = lines.mid(0, lines.size() - screen->rows);
                                   lines = lines.mid(lines.size() - screen->rows);
                               }
                               screen->lines = lines;
                               const QSize size(screen->cols, screen->rows);
                               if (size != m_size) {
                                   m_size = size;
                                   Q_EMIT sizeChanged(size);
                               }
                               done(*screen);
                           });
    if (!capture)
        done(std::nullopt);
}

bool TerminalSession::sendBytes(const QByteArray &bytes, Done done)
{
    // send-keys -H: every byte as hex, so no byte is ever parsed as tmux syntax.
    constexpr qsizetype Chunk = 512;
    bool ok = true;
    for (qsizetype at = 0; at < bytes.size() && ok; at += Chunk) {
        const QByteArray part = bytes.mid(at, Chunk);
        QByteArray line = "send-keys -H -t " + m_target;
        for (const char c : part)
            line += ' ' + QByteArray::number(uchar(c), 16);
        const bool last = at + Chunk >= bytes.size();
        ok = m_control->command(
            line, last && done ? [done](const TmuxControl::Reply &reply) { done(reply.ok); }
                               : TmuxControl::Done());
    }
    if (!ok && done)
        done(false);
    return ok;
}

bool TerminalSession::sendKeyNames(const QStringList &keys, Done done)
{
    QByteArray line = "send-keys -t " + m_target;
    for (const QString &key : keys)
        line += ' ' + TmuxControl::quote(key);
    const bool ok = m_control->command(line, [done](const TmuxControl::Reply &reply) {
        if (done)
            done(reply.ok);
    });
    if (!ok && done)
        done(false);
    return ok;
}

bool TerminalSession::paste(const QString &text, Done done)
{
    // The text goes through a file of ours, not the command line: any byte, any length, no
    // quoting of user data. paste-buffer -p brackets it only if the program asked for that.
    QDir().mkpath(m_scratchDir);
    const QString path = m_scratchDir + QStringLiteral("/paste-") + m_sandboxId + u'-' +
                         QString::number(++m_pasteCount);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        if (done)
            done(false);
        return false;
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(text.toUtf8());
    file.close();
    const QByteArray buffer = "csm-paste-" + m_sandboxId.toLatin1();
    const bool loaded =
        m_control->command("load-buffer -b " + buffer + ' ' + TmuxControl::quote(path),
                           [path](const TmuxControl::Reply &) { QFile::remove(path); });
    const bool ok =
        loaded && m_control->command("paste-buffer -p -d -r -b " + buffer + " -t " + m_target,
                                     [done](const TmuxControl::Reply &reply) {
                                         if (done)
                                             done(reply.ok);
                                     });
    if (!loaded)
        QFile::remove(path);
    if (!ok && done)
        done(false);
    return ok;
}

bool TerminalSession::resize(int cols, int rows)
{
    cols = std::clamp(cols, MinCols, MaxCols);
    rows = std::clamp(rows, MinRows, MaxRows);
    const bool ok = m_control->command("refresh-client -C " + QByteArray::number(cols) + 'x' +
                                       QByteArray::number(rows));
    // tmux 3.3a sends no %layout-change to a control client that has just attached: ask.
    if (ok)
        querySize();
    return ok;
}

void TerminalSession::querySize()
{
    m_control->command("display-message -p -t " + m_target + " '#{window_width} #{window_height}'",
                       [this](const TmuxControl::Reply &reply) {
                           if (!reply.ok || reply.lines.isEmpty())
                               return;
                           const QList<QByteArray> fields = reply.lines.first().split(' ');
                           const QSize size(fields.value(0).toInt(), fields.value(1).toInt());
                           if (size.isEmpty() || size == m_size)
                               return;
                           m_size = size;
                           Q_EMIT sizeChanged(size);
                       });
}
