#include "TileDelegate.h"

#include <QApplication>
#include <QDateTime>
#include <QPainter>
#include <QPainterPath>

#include "Activity.h"
#include "SandboxListModel.h"
#include "ThumbnailCache.h"

namespace {

constexpr int Padding = 6;
constexpr int Radius = 6;
constexpr int BadgePadding = 4;
// The sandboxes' screens are 1920x1080.
constexpr int AspectWidth = 16;
constexpr int AspectHeight = 9;

QRect thumbnailRect(const QRect &tile, const QSize &size)
{
    return QRect(tile.left() + Padding, tile.top() + Padding, size.width(), size.height());
}

} // namespace

TileDelegate::TileDelegate(const ThumbnailCache &thumbnails, QObject *parent)
    : QStyledItemDelegate(parent), m_thumbnails(thumbnails)
{}

void TileDelegate::setTileWidth(int width)
{
    m_tileWidth = std::clamp(width, MinimumTileWidth, MaximumTileWidth);
}

QSize TileDelegate::thumbnailSize() const
{
    return QSize(m_tileWidth, m_tileWidth * AspectHeight / AspectWidth);
}

QColor TileDelegate::statusColor(int status)
{
    switch (static_cast<SandboxStatus>(status)) {
    case SandboxStatus::Running:
        return QColor(0x2e, 0x7d, 0x32);
    case SandboxStatus::Stopped:
        return QColor(0x75, 0x75, 0x75);
    case SandboxStatus::Dead:
        return QColor(0xc6, 0x28, 0x28);
    }
    return Qt::gray;
}

QSize TileDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const int lineHeight = option.fontMetrics.height();
    const QSize thumb = thumbnailSize();
    return QSize(thumb.width() + 2 * Padding, thumb.height() + 2 * Padding + 2 * lineHeight + 4);
}

void TileDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                         const QModelIndex &index) const
{
    const auto sandbox = index.data(SandboxListModel::SandboxRole).value<Sandbox>();
    const auto key = index.data(SandboxListModel::KeyRole).value<SandboxKey>();
    const bool hostUp = index.data(SandboxListModel::HostUpRole).toBool();
    const QPalette &palette = option.palette;
    const QRect tile = option.rect.adjusted(1, 1, -1, -1);
    const bool selected = option.state.testFlag(QStyle::State_Selected);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);

    QPainterPath frame;
    frame.addRoundedRect(QRectF(tile), Radius, Radius);
    painter->fillPath(frame, palette.color(QPalette::AlternateBase));
    if (selected || option.state.testFlag(QStyle::State_MouseOver)) {
        QColor border = palette.color(QPalette::Highlight);
        if (!selected)
            border.setAlpha(110);
        painter->setPen(QPen(border, 2));
        painter->drawPath(frame);
    }

    // The screen.
    const QRect screen = thumbnailRect(tile, thumbnailSize());
    painter->fillRect(screen, QColor(0x1e, 0x1e, 0x1e));
    const QPixmap pixmap =
        m_thumbnails.scaled(key, screen.size(), painter->device()->devicePixelRatioF());
    if (!pixmap.isNull()) {
        const QSize shown = pixmap.deviceIndependentSize().toSize();
        const QRect target(screen.left() + (screen.width() - shown.width()) / 2,
                           screen.top() + (screen.height() - shown.height()) / 2, shown.width(),
                           shown.height());
        painter->setOpacity(sandbox.isRunning() ? 1.0 : 0.35);
        painter->drawPixmap(target, pixmap);
        painter->setOpacity(1.0);
    } else {
        painter->setPen(QColor(0x9e, 0x9e, 0x9e));
        painter->drawText(screen, Qt::AlignCenter,
                          sandbox.isRunning() ? tr("no screenshot yet") : tr("not running"));
    }

    // The status badge, over the screen's top-left corner.
    QFont badgeFont = option.font;
    badgeFont.setBold(true);
    if (badgeFont.pointSizeF() > 0)
        badgeFont.setPointSizeF(badgeFont.pointSizeF() * 0.85);
    const QFontMetrics badgeMetrics(badgeFont);
    const QString status = toString(sandbox.status);
    const QRect badge(screen.left() + BadgePadding, screen.top() + BadgePadding,
                      badgeMetrics.horizontalAdvance(status) + 2 * BadgePadding + 2,
                      badgeMetrics.height() + 2);
    QPainterPath pill;
    pill.addRoundedRect(QRectF(badge), badge.height() / 2.0, badge.height() / 2.0);
    painter->fillPath(pill, statusColor(static_cast<int>(sandbox.status)));
    painter->setFont(badgeFont);
    painter->setPen(Qt::white);
    painter->drawText(badge, Qt::AlignCenter, status);

    // Name, then host and activity.
    const int lineHeight = option.fontMetrics.height();
    const QRect nameLine(screen.left(), screen.bottom() + 3, screen.width(), lineHeight);
    const QRect infoLine(screen.left(), nameLine.bottom() + 1, screen.width(), lineHeight);
    QFont nameFont = option.font;
    nameFont.setBold(true);
    painter->setFont(nameFont);
    painter->setPen(palette.color(QPalette::Text));
    painter->drawText(
        nameLine, Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetrics(nameFont).elidedText(sandbox.name, Qt::ElideRight, nameLine.width()));
    painter->setFont(option.font);
    const QString host = index.data(SandboxListModel::HostRole).toString();
    const QString activity = Activity::describe(sandbox, QDateTime::currentDateTimeUtc());
    const bool active = Activity::isActive(sandbox, QDateTime::currentDateTimeUtc());
    painter->setPen(palette.color(QPalette::PlaceholderText));
    const QString info = host + QStringLiteral(" · ") + activity;
    painter->drawText(infoLine, Qt::AlignLeft | Qt::AlignVCenter,
                      option.fontMetrics.elidedText(info, Qt::ElideRight, infoLine.width()));
    if (active) {
        // A small green dot after the name says the agent is working right now.
        const int nameWidth =
            std::min(QFontMetrics(nameFont).horizontalAdvance(sandbox.name), nameLine.width() - 10);
        painter->setBrush(statusColor(static_cast<int>(SandboxStatus::Running)));
        painter->setPen(Qt::NoPen);
        painter->drawEllipse(QPointF(nameLine.left() + nameWidth + 8, nameLine.center().y() + 1),
                             3.5, 3.5);
    }

    if (!hostUp) {
        // Greyed out with the reason, so a stale picture is not taken for a live one.
        painter->fillPath(frame, QColor(128, 128, 128, 160));
        const QString reason = index.data(SandboxListModel::HostReasonRole).toString();
        const QRect text = screen.adjusted(8, badge.height() + 8, -8, -8);
        painter->setPen(Qt::white);
        painter->setFont(nameFont);
        painter->drawText(text, Qt::AlignCenter | Qt::TextWordWrap,
                          tr("%1: %2").arg(host, reason.isEmpty() ? tr("not connected") : reason));
    }
    painter->restore();
}
