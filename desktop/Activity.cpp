#include "Activity.h"

namespace Activity {

namespace {
constexpr qint64 Minute = 60;
constexpr qint64 Hour = 60 * Minute;
constexpr qint64 Day = 24 * Hour;

QDateTime lastSign(const Sandbox &sandbox)
{
    if (sandbox.lastActivityAt.isValid())
        return sandbox.lastActivityAt;
    return sandbox.startedAt.isValid() ? sandbox.startedAt : sandbox.createdAt;
}

qint64 secondsSince(const QDateTime &then, const QDateTime &now)
{
    // A server clock slightly ahead of ours must not give "active -2s ago".
    return std::max<qint64>(0, then.secsTo(now));
}
} // namespace

bool isActive(const Sandbox &sandbox, const QDateTime &now)
{
    if (!sandbox.isRunning())
        return false;
    const QDateTime last = lastSign(sandbox);
    return last.isValid() && secondsSince(last, now) < ActiveWindow.count();
}

QString shortDuration(qint64 seconds)
{
    if (seconds < Minute)
        return QString::number(seconds) + u's';
    if (seconds < Hour)
        return QString::number(seconds / Minute) + u'm';
    if (seconds < Day)
        return QString::number(seconds / Hour) + u'h';
    return QString::number(seconds / Day) + u'd';
}

QString describe(const Sandbox &sandbox, const QDateTime &now)
{
    if (sandbox.status == SandboxStatus::Stopped)
        return sandbox.reason.isEmpty() ? QStringLiteral("stopped")
                                        : QStringLiteral("stopped: ") + sandbox.reason;
    if (sandbox.status == SandboxStatus::Dead) {
        if (!sandbox.reason.isEmpty())
            return QStringLiteral("dead: ") + sandbox.reason;
        if (sandbox.exitStatus)
            return QStringLiteral("dead: exit status %1").arg(*sandbox.exitStatus);
        return QStringLiteral("dead");
    }
    const QDateTime last = lastSign(sandbox);
    if (!last.isValid())
        return QStringLiteral("running");
    const qint64 age = secondsSince(last, now);
    if (age < ActiveWindow.count())
        return QStringLiteral("active %1 ago").arg(shortDuration(age));
    return QStringLiteral("idle ") + shortDuration(age);
}

bool countsSeconds(const Sandbox &sandbox, const QDateTime &now)
{
    const QDateTime last = lastSign(sandbox);
    return sandbox.isRunning() && last.isValid() && secondsSince(last, now) < Minute;
}

} // namespace Activity
