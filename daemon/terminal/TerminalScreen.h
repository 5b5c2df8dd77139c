#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>

// A pane's screen at one moment, as tmux reports it: its size, cursor and modes, and its
// lines (with SGR escapes when captured with colours).
struct TerminalScreen
{
    int cols = 0;
    int rows = 0;
    int cursorX = 0;
    int cursorY = 0;
    bool alternate = false; // a full-screen program (Claude Code, vim) is on the alternate screen
    bool cursorVisible = true;
    bool applicationCursor = false;
    bool applicationKeypad = false;
    QList<QByteArray> history; // scrollback above the screen, oldest first (normal screen only)
    QList<QByteArray> lines;   // the visible rows

    // What a terminal emulator, reset to a blank state at cols x rows, must be fed to show
    // this screen: scrollback, rows, the alternate screen, cursor and modes.
    QByteArray toAnsi() const;
    // The visible rows as text, trailing blanks trimmed, one '\n' after each row.
    QByteArray toText() const;

    // The display-message format whose answer fromStatus() reads.
    static QByteArray statusFormat();
    static bool parseStatus(const QByteArray &line, TerminalScreen *screen);
};
