#pragma once

#include <QByteArray>
#include <QString>

// Bounded reads of a terminal log file: its last lines, and UTF-8-safe chunk ends.
namespace LogTail {

constexpr qint64 MaxTailBytes = 4 * 1024 * 1024;

// The last `lines` lines of the file's first `endOffset` bytes, reading at most maxBytes from
// the end. The result starts at a line boundary (or the file's start).
QByteArray lastLines(const QString &path, int lines, qint64 endOffset,
                     qint64 maxBytes = MaxTailBytes);
// The length of the longest prefix of data that does not end inside a UTF-8 sequence.
qsizetype completeUtf8Length(QByteArrayView data);

} // namespace LogTail
