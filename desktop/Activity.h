#pragma once

#include <chrono>

#include <QDateTime>
#include <QString>

#include "shared/Sandbox.h"

// Whether an agent is busy, from the last time its terminal showed output.
namespace Activity {

// Claude Code redraws its spinner and timer while it works, so a quiet terminal means it
// finished or waits for input.
constexpr std::chrono::seconds ActiveWindow{30};

bool isActive(const Sandbox &sandbox, const QDateTime &now);
// "active 3s ago", "idle 12m", "stopped", "dead: tmux session ended", ...
QString describe(const Sandbox &sandbox, const QDateTime &now);
// "3s", "12m", "5h", "2d"
QString shortDuration(qint64 seconds);
// How long describe()'s text stays the same: a second while it counts seconds.
bool countsSeconds(const Sandbox &sandbox, const QDateTime &now);

} // namespace Activity
