#include "AppIcon.h"

#include <QPainter>
#include <QPainterPath>

namespace AppIcon {

QPixmap render(int size, int badgeCount)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.scale(size / 64.0, size / 64.0);

    // A dark rounded square holding a 2x2 grid of screens, one of them live (green).
    QPainterPath body;
    body.addRoundedRect(QRectF(2, 2, 60, 60), 12, 12);
    painter.fillPath(body, QColor(0x26, 0x32, 0x38));
    const QColor screens[] = {QColor(0x43, 0xa0, 0x47), QColor(0x78, 0x90, 0x9c),
                              QColor(0x78, 0x90, 0x9c), QColor(0x78, 0x90, 0x9c)};
    for (int i = 0; i < 4; ++i) {
        const QRectF tile(10 + (i % 2) * 24, 14 + (i / 2) * 20, 20, 14);
        QPainterPath path;
        path.addRoundedRect(tile, 3, 3);
        painter.fillPath(path, screens[i]);
    }
    if (badgeCount >= 0) {
        const QRectF badge(32, 32, 30, 30);
        painter.setBrush(QColor(0xd8, 0x43, 0x15));
        painter.setPen(QPen(Qt::white, 2));
        painter.drawEllipse(badge);
        QFont font = painter.font();
        font.setBold(true);
        font.setPixelSize(badgeCount > 99 ? 12 : 18);
        painter.setFont(font);
        painter.drawText(badge, Qt::AlignCenter,
                         badgeCount > 99 ? QStringLiteral("99+") : QString::number(badgeCount));
    }
    return pixmap;
}

QIcon icon()
{
    QIcon result;
    for (const int size : {16, 22, 32, 48, 64, 128, 256})
        result.addPixmap(render(size));
    return result;
}

QIcon trayIcon(int runningCount, bool attention)
{
    QIcon result;
    for (const int size : {16, 22, 32, 48, 64})
        result.addPixmap(render(size, attention ? runningCount : -1));
    return result;
}

} // namespace AppIcon
