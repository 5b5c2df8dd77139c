#pragma once

#include <optional>

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "shared/Expected.h"

// One reply or key press sent without holding control (POST /api/sandboxes/{id}/input, or
// {"type":"input"} on the terminal stream): keys first, then the text as a bracketed paste,
// then Enter.
struct TerminalInput
{
    static constexpr qsizetype MaxTextBytes = 64 * 1024;
    static constexpr int MaxKeys = 64;

    struct Key
    {
        QString tmuxName;   // a named key (Escape, BTab, C-c…)
        QByteArray literal; // or one character, typed as is
    };

    QList<Key> keys;
    QString text;
    bool enter = false;
    bool force = false;

    qsizetype byteCount() const;
    QString firstLine() const;
    QString describeKeys() const;

    struct Error
    {
        QString field;
        QString message;
    };
    // {"text": string, "enter": bool (default: true when there is text), "keys": [name…],
    //  "force": bool}; unknown fields are refused, naming them.
    static Expected<TerminalInput, Error> fromJson(const QJsonObject &object);
    // "Esc", "Enter", "Tab", "Shift+Tab", "Ctrl+C", "Up"…, or a single character.
    static std::optional<Key> parseKey(const QString &name);
    static QStringList keyNames();
};
