#include "shared/Sandbox.h"

QString toString(SandboxStatus status)
{
    switch (status) {
    case SandboxStatus::Running:
        return QStringLiteral("running");
    case SandboxStatus::Stopped:
        return QStringLiteral("stopped");
    case SandboxStatus::Dead:
        return QStringLiteral("dead");
    }
    return {};
}

std::optional<SandboxStatus> sandboxStatusFromString(QStringView text)
{
    if (text == u"running")
        return SandboxStatus::Running;
    if (text == u"stopped")
        return SandboxStatus::Stopped;
    if (text == u"dead")
        return SandboxStatus::Dead;
    return std::nullopt;
}

QString Sandbox::attachCommand() const
{
    if (tmuxSession.isEmpty())
        return {};
    return QStringLiteral("tmux attach -t ") + tmuxSession;
}
