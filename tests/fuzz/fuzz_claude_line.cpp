// Lines of Claude Code session files, whole and split at every chunk boundary.
#include <QFile>
#include <QTemporaryFile>

#include "metrics/ClaudeMetricsReader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes =
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    ClaudeMetrics whole;
    for (const QByteArray &line : bytes.split('\n'))
        ClaudeMetricsReader::addLine(line, whole);
    // The incremental reader, fed in two appends, must count the same.
    static QTemporaryFile file;
    if (!file.isOpen() && !file.open())
        return 0;
    file.resize(0);
    ClaudeMetricsReader::FileState state;
    const qsizetype cut = bytes.isEmpty() ? 0 : static_cast<uchar>(bytes[0]) % (bytes.size() + 1);
    file.write(bytes.left(cut));
    file.flush();
    ClaudeMetricsReader::update(file.fileName(), state);
    file.write(bytes.mid(cut) + '\n');
    file.flush();
    ClaudeMetricsReader::update(file.fileName(), state);
    if (!(state.totals == whole))
        __builtin_trap();
    return 0;
}
