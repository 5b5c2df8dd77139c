#pragma once

#include <chrono>

#include <QHash>
#include <QObject>
#include <QPixmap>

#include "SandboxKey.h"

class HostManager;

// The sandboxes' latest thumbnails, outside the model: fetched on request for the tiles that
// are visible, revalidated with their ETag so that an unchanged screen costs a 304 only.
class ThumbnailCache : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ThumbnailCache)

public:
    static constexpr std::chrono::milliseconds RefreshInterval{2000};

    struct Statistics
    {
        quint64 requests = 0;
        quint64 loaded = 0;    // 200 with a new image
        quint64 unchanged = 0; // 304
        quint64 failed = 0;
        quint64 bytes = 0; // image bytes received
    };

    explicit ThumbnailCache(HostManager &hosts, QObject *parent = nullptr);

    bool contains(const SandboxKey &key) const;
    QPixmap pixmap(const SandboxKey &key) const;
    // The thumbnail scaled to fit size (device pixels taken into account), cached per size.
    QPixmap scaled(const SandboxKey &key, const QSize &size, qreal devicePixelRatio) const;
    void refresh(const QList<SandboxKey> &keys);
    void forget(const SandboxKey &key);
    void forgetHost(const QString &host);

    Statistics statistics() const { return m_total; }
    Statistics statistics(const SandboxKey &key) const;

Q_SIGNALS:
    void thumbnailChanged(const SandboxKey &key);
    void fetched(const SandboxKey &key, bool unchanged);

private:
    struct Entry
    {
        QPixmap original;
        mutable QPixmap scaled;
        QByteArray etag;
        bool inFlight = false;
        Statistics statistics;
    };

    void fetch(const SandboxKey &key, Entry &entry);

    HostManager &m_hosts;
    QHash<SandboxKey, Entry> m_entries;
    Statistics m_total;
};
