#include "metrics/ClaudeMetricsReader.h"

#include <sys/stat.h>

#include <algorithm>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtConcurrent/QtConcurrentRun>

ClaudeMetricsReader::ClaudeMetricsReader(QString claudeDir, QObject *parent)
    : QObject(parent), m_claudeDir(std::move(claudeDir))
{
    m_pool.setMaxThreadCount(1);
}

ClaudeMetricsReader::~ClaudeMetricsReader()
{
    m_pool.waitForDone();
}

QString ClaudeMetricsReader::encodeProjectPath(const QString &projectDir)
{
    QString encoded = projectDir;
    for (QChar &c : encoded) {
        const char16_t u = c.unicode();
        const bool keep =
            (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9');
        if (!keep)
            c = u'-';
    }
    return encoded;
}

QString ClaudeMetricsReader::projectFolder(const QString &projectDir) const
{
    return m_claudeDir + QStringLiteral("/projects/") + encodeProjectPath(projectDir);
}

void ClaudeMetricsReader::addLine(QByteArrayView line, ClaudeMetrics &metrics)
{
    // Most lines are neither kind; skip them without a JSON parse.
    const bool maybeAssistant = line.contains("\"assistant\"");
    const bool maybeUser = line.contains("\"user\"");
    if (!maybeAssistant && !maybeUser)
        return;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(line.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return;
    const QJsonObject object = document.object();
    const QString type = object.value(QLatin1StringView("type")).toString();
    if (type == u"user") {
        ++metrics.messageCount;
        return;
    }
    if (type != u"assistant")
        return;
    const QJsonObject message = object.value(QLatin1StringView("message")).toObject();
    const QJsonObject usage = message.value(QLatin1StringView("usage")).toObject();
    const auto count = [&](QLatin1StringView key) -> quint64 {
        const double value = usage.value(key).toDouble();
        return value > 0 ? static_cast<quint64>(value) : 0;
    };
    metrics.inputTokens += count(QLatin1StringView("input_tokens"));
    metrics.outputTokens += count(QLatin1StringView("output_tokens"));
    metrics.cacheCreationTokens += count(QLatin1StringView("cache_creation_input_tokens"));
    metrics.cacheReadTokens += count(QLatin1StringView("cache_read_input_tokens"));
    for (const QJsonValue &block : message.value(QLatin1StringView("content")).toArray()) {
        if (block.toObject().value(QLatin1StringView("type")).toString() == u"tool_use")
            ++metrics.toolUseCount;
    }
}

bool ClaudeMetricsReader::update(const QString &path, FileState &state)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    struct stat info
    {};
    if (::fstat(file.handle(), &info) != 0)
        return false;
    const auto inode = static_cast<quint64>(info.st_ino);
    if (inode != state.inode || info.st_size < state.offset) {
        state = {}; // replaced or truncated: read it again from the start
        state.inode = inode;
    }
    if (info.st_size == state.offset)
        return true;
    file.seek(state.offset);
    // Read what was appended, in chunks of at most 4 MiB; never ask for more than is there
    // (QIODevice::read allocates what it is asked for).
    constexpr qint64 Chunk = 4 * 1024 * 1024;
    qint64 remaining = info.st_size - state.offset;
    while (remaining > 0) {
        const QByteArray data = file.read(std::min(Chunk, remaining));
        if (data.isEmpty())
            break;
        state.offset += data.size();
        remaining -= data.size();
        qsizetype start = 0;
        qsizetype newline;
        while ((newline = data.indexOf('\n', start)) >= 0) {
            if (!state.partial.isEmpty()) {
                state.partial.append(data.constData() + start, newline - start);
                addLine(state.partial, state.totals);
                state.partial.clear();
            } else {
                addLine(QByteArrayView(data).sliced(start, newline - start), state.totals);
            }
            start = newline + 1;
        }
        if (state.partial.size() + (data.size() - start) > MaxLineBytes)
            state.partial = QByteArray(1, ' '); // an absurd line: drop it, keep the rest
        else
            state.partial.append(data.constData() + start, data.size() - start);
    }
    return true;
}

ClaudeMetrics ClaudeMetricsReader::collect(const QString &folder)
{
    std::lock_guard lock(m_mutex);
    ClaudeMetrics total;
    const QStringList names = QDir(folder).entryList({QStringLiteral("*.jsonl")}, QDir::Files);
    const QString prefix = folder + u'/';
    for (const QString &name : names) {
        const QString path = prefix + name;
        FileState &state = m_files[path];
        if (!update(path, state)) {
            m_files.remove(path);
            continue;
        }
        total += state.totals;
        ++total.sessionCount;
    }
    // Forget files that were deleted.
    for (auto it = m_files.begin(); it != m_files.end();) {
        if (it.key().startsWith(prefix) && !names.contains(it.key().mid(prefix.size())))
            it = m_files.erase(it);
        else
            ++it;
    }
    return total;
}

void ClaudeMetricsReader::metrics(const QString &projectDir, QObject *context, Done done)
{
    const QString folder = projectFolder(projectDir);
    auto &waiters = m_waiters[folder];
    waiters.append({QPointer<QObject>(context), std::move(done)});
    if (waiters.size() > 1)
        return; // a read of this folder is already running; it answers everyone
    QtConcurrent::run(&m_pool, [this, folder] {
        return collect(folder);
    }).then(this, [this, folder](const ClaudeMetrics &metrics) {
        const auto waiting = m_waiters.take(folder);
        for (const auto &[waiterContext, waiterDone] : waiting) {
            if (waiterContext)
                waiterDone(metrics);
        }
    });
}
