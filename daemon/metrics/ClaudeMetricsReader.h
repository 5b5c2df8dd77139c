#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QThreadPool>

#include "shared/ClaudeMetrics.h"

// Totals of a project's Claude Code session files (~/.claude/projects/<encoded>/*.jsonl),
// summed over all of them and read incrementally: each request parses only what was appended
// since the last one, on a worker thread.
class ClaudeMetricsReader : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClaudeMetricsReader)

public:
    using Done = std::function<void(const ClaudeMetrics &)>;
    static constexpr qint64 MaxLineBytes = 64 * 1024 * 1024;

    // Parse state of one session file.
    struct FileState
    {
        quint64 inode = 0;
        qint64 offset = 0;
        QByteArray partial; // an unfinished last line
        ClaudeMetrics totals;
    };

    explicit ClaudeMetricsReader(QString claudeDir, QObject *parent = nullptr);
    ~ClaudeMetricsReader() override;

    // Claude Code's rule: every character that is not an ASCII letter or digit becomes '-'.
    static QString encodeProjectPath(const QString &projectDir);
    static void addLine(QByteArrayView line, ClaudeMetrics &metrics);
    // Parses what was appended to a file since `state`; returns false if the file is unreadable.
    static bool update(const QString &path, FileState &state);

    QString projectFolder(const QString &projectDir) const;
    void metrics(const QString &projectDir, QObject *context, Done done);

private:
    ClaudeMetrics collect(const QString &folder);

    QString m_claudeDir;
    QThreadPool m_pool;
    std::mutex m_mutex;
    QHash<QString, FileState> m_files; // by file path; guarded by m_mutex
    QHash<QString, QList<std::pair<QPointer<QObject>, Done>>> m_waiters; // main thread only
};
