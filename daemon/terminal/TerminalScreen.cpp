#include "terminal/TerminalScreen.h"

QByteArray TerminalScreen::statusFormat()
{
    return "#{window_width} #{window_height} #{cursor_x} #{cursor_y} #{alternate_on} "
           "#{cursor_flag} #{keypad_cursor_flag} #{keypad_flag}";
}

bool TerminalScreen::parseStatus(const QByteArray &line, TerminalScreen *screen)
{
    const QList<QByteArray> fields = line.split(' ');
    if (fields.size() < 8)
        return false;
    bool ok = true;
    auto number = [&](int index) {
        bool good = false;
        const int value = fields[index].toInt(&good);
        ok = ok && good;
        return value;
    };
    screen->cols = number(0);
    screen->rows = number(1);
    screen->cursorX = number(2);
    screen->cursorY = number(3);
    screen->alternate = fields[4] == "1";
    screen->cursorVisible = fields[5] != "0";
    screen->applicationCursor = fields[6] == "1";
    screen->applicationKeypad = fields[7] == "1";
    return ok && screen->cols > 0 && screen->rows > 0;
}

QByteArray TerminalScreen::toAnsi() const
{
    QByteArray out;
    if (alternate) {
        out += "\x1b[?1049h\x1b[H\x1b[2J";
    } else {
        for (const QByteArray &line : history)
            out += line + "\x1b[0m\r\n";
    }
    for (qsizetype i = 0; i < lines.size(); ++i) {
        out += lines[i] + "\x1b[0m";
        if (i + 1 < lines.size())
            out += "\r\n";
    }
    out += "\x1b[" + QByteArray::number(cursorY + 1) + ';' + QByteArray::number(cursorX + 1) + 'H';
    if (!cursorVisible)
        out += "\x1b[?25l";
    if (applicationCursor)
        out += "\x1b[?1h";
    if (applicationKeypad)
        out += "\x1b=";
    return out;
}

QByteArray TerminalScreen::toText() const
{
    QByteArray out;
    for (const QByteArray &line : lines) {
        qsizetype end = line.size();
        while (end > 0 && line[end - 1] == ' ')
            --end;
        out += line.left(end) + '\n';
    }
    return out;
}
