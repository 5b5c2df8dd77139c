#include "ThumbnailCache.h"

#include <QImage>
#include <QLoggingCategory>

#include "HostManager.h"

Q_LOGGING_CATEGORY(lcThumbnails, "viewer.thumbnails", QtInfoMsg)

ThumbnailCache::ThumbnailCache(HostManager &hosts, QObject *parent)
    : QObject(parent), m_hosts(hosts)
{}

bool ThumbnailCache::contains(const SandboxKey &key) const
{
    const auto it = m_entries.constFind(key);
    return it != m_entries.cend() && !it->original.isNull();
}

QPixmap ThumbnailCache::pixmap(const SandboxKey &key) const
{
    return m_entries.value(key).original;
}

QPixmap ThumbnailCache::scaled(const SandboxKey &key, const QSize &size,
                               qreal devicePixelRatio) const
{
    const auto it = m_entries.constFind(key);
    if (it == m_entries.cend() || it->original.isNull())
        return {};
    const QSize target =
        (it->original.size().scaled(size, Qt::KeepAspectRatio).toSizeF() * devicePixelRatio)
            .toSize();
    if (it->scaled.size() != target ||
        !qFuzzyCompare(it->scaled.devicePixelRatio(), devicePixelRatio)) {
        it->scaled = it->original.scaled(target, Qt::KeepAspectRatio, Qt::SmoothTransformation);
        it->scaled.setDevicePixelRatio(devicePixelRatio);
    }
    return it->scaled;
}

ThumbnailCache::Statistics ThumbnailCache::statistics(const SandboxKey &key) const
{
    return m_entries.value(key).statistics;
}

void ThumbnailCache::refresh(const QList<SandboxKey> &keys)
{
    for (const SandboxKey &key : keys) {
        Entry &entry = m_entries[key];
        if (!entry.inFlight)
            fetch(key, entry);
    }
}

void ThumbnailCache::fetch(const SandboxKey &key, Entry &entry)
{
    HostConnection *host = m_hosts.connection(key.host);
    if (!host || !host->isUp())
        return;
    entry.inFlight = true;
    ++entry.statistics.requests;
    ++m_total.requests;
    host->api().screenshot(key.id, ApiClient::ScreenshotSize::Thumbnail, entry.etag, this,
                           [this, key](ApiResult<ScreenshotFetch> result) {
                               const auto it = m_entries.find(key);
                               if (it == m_entries.end())
                                   return; // forgotten meanwhile
                               Entry &current = *it;
                               current.inFlight = false;
                               if (!result) {
                                   if (result.error().kind != ApiFailure::Kind::Cancelled) {
                                       ++current.statistics.failed;
                                       ++m_total.failed;
                                       // 404 means no frame yet (just started, or headless): not
                                       // worth a warning.
                                       qCDebug(lcThumbnails).noquote()
                                           << "thumbnail of" << key.id << "on" << key.host
                                           << "failed:" << result.error().toString();
                                   }
                                   return;
                               }
                               const ScreenshotFetch &fetch = *result;
                               if (fetch.unchanged) {
                                   ++current.statistics.unchanged;
                                   ++m_total.unchanged;
                                   Q_EMIT fetched(key, true);
                                   return;
                               }
                               QImage image;
                               if (!image.loadFromData(fetch.data)) {
                                   ++current.statistics.failed;
                                   ++m_total.failed;
                                   qCInfo(lcThumbnails)
                                       << "thumbnail of" << key.id << "on" << key.host
                                       << "is not an image" << fetch.contentType;
                                   return;
                               }
                               ++current.statistics.loaded;
                               ++m_total.loaded;
                               current.statistics.bytes += static_cast<quint64>(fetch.data.size());
                               m_total.bytes += static_cast<quint64>(fetch.data.size());
                               current.original = QPixmap::fromImage(std::move(image));
                               current.scaled = {};
                               current.etag = fetch.etag;
                               qCDebug(lcThumbnails).noquote()
                                   << "thumbnail loaded" << key.host << key.id << fetch.data.size()
                                   << "bytes";
                               Q_EMIT thumbnailChanged(key);
                               Q_EMIT fetched(key, false);
                           });
}

void ThumbnailCache::forget(const SandboxKey &key)
{
    m_entries.remove(key);
}

void ThumbnailCache::forgetHost(const QString &host)
{
    m_entries.removeIf([&](const auto &it) { return it.key().host == host; });
}
