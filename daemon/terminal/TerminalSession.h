#pragma once

#include <functional>
#include <optional>

#include <QByteArray>
#include <QObject>
#include <QSize>
#include <QStringList>

#include "terminal/TerminalScreen.h"

class TmuxControl;

// The daemon's one tmux control client of one sandbox's session, shared by everyone who
// watches or types into it: screens on demand, the pane's output as it comes, input, and
// the holder's size.
class TerminalSession : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TerminalSession)

public:
    static constexpr int HistoryLines = 1000; // scrollback sent with a screen
    static constexpr int MinCols = 10;
    static constexpr int MaxCols = 1000;
    static constexpr int MinRows = 3;
    static constexpr int MaxRows = 500;

    using ScreenDone = std::function<void(std::optional<TerminalScreen>)>;
    using Done = std::function<void(bool ok)>;

    TerminalSession(const QString &tmuxProgram, QString sandboxId, QString tmuxSession,
                    QString scratchDir, QObject *parent = nullptr);
    ~TerminalSession() override;

    void start();
    bool isRunning() const;
    bool isBusy() const;
    const QString &sandboxId() const { return m_sandboxId; }
    QSize size() const { return m_size; }

    // The current screen; with history, the scrollback above it too; colours as SGR escapes
    // when ansi. Answered in order with the output: what `output` emits after the answer
    // comes after this screen.
    void screen(bool ansi, bool history, ScreenDone done);
    // Bytes as a terminal sends them for keys (escape sequences included).
    bool sendBytes(const QByteArray &bytes, Done done = {});
    // tmux key names (Escape, Enter, BTab, C-c, Up…).
    bool sendKeyNames(const QStringList &keys, Done done = {});
    // Pasted as one bracketed paste when the program asked for bracketed paste.
    bool paste(const QString &text, Done done = {});
    // The holder's terminal size; the window follows it.
    bool resize(int cols, int rows);

Q_SIGNALS:
    void output(const QByteArray &bytes);
    void sizeChanged(QSize size);
    void ended(const QString &reason);

private:
    void querySize();

    QString m_sandboxId;
    QString m_tmuxSession;
    QString m_scratchDir;
    TmuxControl *m_control;
    QByteArray m_paneId;
    QByteArray m_target;
    QSize m_size;
    quint64 m_pasteCount = 0;
};
