#pragma once

#include <optional>

#include <QList>
#include <QString>
#include <QStringList>

// What /proc says about a process: enough to tell "our Xvfb" from a recycled pid.
namespace ProcessInfo {

std::optional<quint64> startTicks(qint64 pid);
QStringList commandLine(qint64 pid);
QString bootId();
bool isAlive(qint64 pid);
// The wait status (as waitpid reports it) of a process that has ended and that its parent has
// not reaped yet (a zombie); nullopt for any other process.
std::optional<int> zombieWaitStatus(qint64 pid);

// True when pid still is the process we started: same boot, same start time, same program
// and an argument (our auth file) that no other process has.
bool isSameProcess(qint64 pid, quint64 ticks, const QString &bootId, const QString &program,
                   const QString &marker);

// Pids of the processes whose program is `program` and whose arguments contain an argument
// starting with prefix: the daemon's own Xvfbs, even after a crash.
QList<qint64> findByArgumentPrefix(const QString &program, const QString &prefix);

} // namespace ProcessInfo
