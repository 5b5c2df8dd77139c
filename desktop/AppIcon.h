#pragma once

#include <QIcon>
#include <QPixmap>

// The viewer's icon, drawn in code (the same picture as icons/claude-remote-viewer.svg) so
// the tray can add a count to it.
namespace AppIcon {
QPixmap render(int size, int badgeCount = -1);
QIcon icon();
QIcon trayIcon(int runningCount, bool attention);
} // namespace AppIcon
