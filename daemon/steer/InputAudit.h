#pragma once

#include <QJsonArray>
#include <QString>

#include "steer/Actor.h"

// The record of every input sent into a sandbox (terminal keys and replies, display clicks
// and keys): one JSON line {at, surface, actor, bytes, first_line} per input in
// <state dir>/sandboxes/<id>/input-audit.jsonl, rotated at MaxFileBytes with one old file
// kept, and a line in the daemon's log.
class InputAudit
{
public:
    static constexpr qint64 MaxFileBytes = 1024 * 1024;
    static constexpr int MaxFirstLine = 200; // characters of a reply's first line kept
    static constexpr int DefaultEntries = 200;

    explicit InputAudit(QString stateDir);

    void record(const QString &sandbox, const QString &surface, const Actor &actor, qsizetype bytes,
                const QString &firstLine);
    // The last `count` entries, oldest first.
    QJsonArray entries(const QString &sandbox, int count = DefaultEntries) const;
    // The sandbox was deleted: its audit goes with it.
    void removeSandbox(const QString &sandbox);

    QString path(const QString &sandbox) const;

private:
    QString m_stateDir;
};
