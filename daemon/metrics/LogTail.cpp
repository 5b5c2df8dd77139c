#include "metrics/LogTail.h"

#include <QFile>

namespace LogTail {

QByteArray lastLines(const QString &path, int lines, qint64 endOffset, qint64 maxBytes)
{
    QFile file(path);
    if (lines <= 0 || !file.open(QIODevice::ReadOnly))
        return {};
    const qint64 end = std::min(endOffset, file.size());
    constexpr qint64 Block = 64 * 1024;
    QByteArray tail;
    qint64 position = end;
    int newlines = 0;
    qsizetype scanned = 0; // bytes of tail (from its end) already counted
    // A final line without its newline counts as a line too.
    while (position > 0 && tail.size() < maxBytes) {
        const qint64 take =
            std::min({Block, position, maxBytes - static_cast<qint64>(tail.size())});
        position -= take;
        file.seek(position);
        tail.prepend(file.read(take));
        for (qsizetype i = tail.size() - 1 - scanned; i >= 0; --i) {
            if (tail[i] == '\n' && i != tail.size() - 1) {
                if (++newlines == lines) {
                    return tail.mid(i + 1);
                }
            }
        }
        scanned = tail.size();
    }
    if (position > 0) {
        // Hit the byte limit: start at the first full line.
        const qsizetype firstNewline = tail.indexOf('\n');
        return firstNewline < 0 ? tail : tail.mid(firstNewline + 1);
    }
    return tail;
}

qsizetype completeUtf8Length(QByteArrayView data)
{
    const qsizetype size = data.size();
    // Look back at most 3 bytes for the lead byte of a trailing sequence.
    for (qsizetype back = 1; back <= std::min<qsizetype>(4, size); ++back) {
        const auto byte = static_cast<unsigned char>(data[size - back]);
        if ((byte & 0xC0) == 0x80)
            continue; // continuation byte
        int needed = 1;
        if ((byte & 0xE0) == 0xC0)
            needed = 2;
        else if ((byte & 0xF0) == 0xE0)
            needed = 3;
        else if ((byte & 0xF8) == 0xF0)
            needed = 4;
        return back < needed ? size - back : size;
    }
    return size;
}

} // namespace LogTail
