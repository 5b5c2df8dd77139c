#include "sys/ProcessInfo.h"

#include <signal.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace ProcessInfo {

namespace {

QByteArray readSmallFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.read(64 * 1024);
}

// The fields of /proc/<pid>/stat from field 3 (state) on: [0] is field 3, [n] field n + 3.
QList<QByteArray> statFields(qint64 pid)
{
    const QByteArray stat = readSmallFile(QStringLiteral("/proc/%1/stat").arg(pid)).trimmed();
    // The command name (field 2) may hold spaces and parentheses: fields count from the last ')'.
    const qsizetype close = stat.lastIndexOf(')');
    if (close < 0)
        return {};
    return stat.mid(close + 2).split(' ');
}

} // namespace

std::optional<quint64> startTicks(qint64 pid)
{
    const QList<QByteArray> fields = statFields(pid);
    // starttime is field 22.
    if (fields.size() < 20)
        return std::nullopt;
    bool ok = false;
    const quint64 ticks = fields[19].toULongLong(&ok);
    return ok ? std::optional(ticks) : std::nullopt;
}

QStringList commandLine(qint64 pid)
{
    const QByteArray raw = readSmallFile(QStringLiteral("/proc/%1/cmdline").arg(pid));
    QStringList args;
    for (const QByteArray &part : raw.split('\0')) {
        if (!part.isEmpty())
            args.append(QString::fromLocal8Bit(part));
    }
    return args;
}

QString bootId()
{
    return QString::fromLatin1(readSmallFile(QStringLiteral("/proc/sys/kernel/random/boot_id")))
        .trimmed();
}

bool isAlive(qint64 pid)
{
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

std::optional<int> zombieWaitStatus(qint64 pid)
{
    if (pid <= 0)
        return std::nullopt;
    const QList<QByteArray> fields = statFields(pid);
    // exit_code is field 52 (Linux 3.5 and later); a zombie's pid cannot be reused until its
    // parent reaps it, so what it says is about this very process.
    if (fields.size() < 50 || fields[0] != "Z")
        return std::nullopt;
    bool ok = false;
    const int status = fields[49].toInt(&ok);
    return ok ? std::optional(status) : std::nullopt;
}

bool isSameProcess(qint64 pid, quint64 ticks, const QString &expectedBootId, const QString &program,
                   const QString &marker)
{
    if (pid <= 1 || !isAlive(pid))
        return false;
    if (!expectedBootId.isEmpty() && expectedBootId != bootId())
        return false;
    if (ticks != 0 && startTicks(pid) != ticks)
        return false;
    const QStringList args = commandLine(pid);
    if (args.isEmpty() || QFileInfo(args.first()).fileName() != program)
        return false;
    return args.contains(marker);
}

QList<qint64> findByArgumentPrefix(const QString &program, const QString &prefix)
{
    QList<qint64> pids;
    const QStringList entries =
        QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        if (!ok)
            continue;
        const QStringList args = commandLine(pid);
        if (args.isEmpty() || QFileInfo(args.first()).fileName() != program)
            continue;
        if (std::any_of(args.cbegin(), args.cend(),
                        [&](const QString &a) { return a.startsWith(prefix); }))
            pids.append(pid);
    }
    return pids;
}

} // namespace ProcessInfo
