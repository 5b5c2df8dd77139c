#pragma once

#include <QStyledItemDelegate>

class ThumbnailCache;

// Paints a sandbox tile: the live thumbnail, a status badge, the name, the host and the
// agent's activity; greyed with the reason when its host does not answer.
class TileDelegate : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TileDelegate)

public:
    static constexpr int MinimumTileWidth = 160;
    static constexpr int MaximumTileWidth = 640;

    explicit TileDelegate(const ThumbnailCache &thumbnails, QObject *parent = nullptr);

    void setTileWidth(int width);
    int tileWidth() const { return m_tileWidth; }
    QSize thumbnailSize() const;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    static QColor statusColor(int status);

private:
    const ThumbnailCache &m_thumbnails;
    int m_tileWidth = 240;
};
