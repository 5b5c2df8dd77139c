#include "capture/FrameStore.h"

QByteArray StoredFrame::etag(char kind) const
{
    return '"' + QByteArray::number(hash, 16) + '-' + kind + '"';
}

bool FrameStore::update(const QString &id, const ProcessedFrame &frame)
{
    if (frame.hash == 0)
        return false;
    StoredFrame &stored = m_frames[id];
    const bool changed = stored.hash != frame.hash;
    if (changed) {
        stored.hash = frame.hash;
        stored.size = frame.size;
        stored.capturedAt = QDateTime::currentDateTimeUtc();
        stored.png.clear();
        stored.jpeg.clear();
    }
    if (!frame.thumbnailJpeg.isEmpty())
        stored.thumbnailJpeg = frame.thumbnailJpeg;
    if (!frame.png.isEmpty())
        stored.png = frame.png;
    if (!frame.jpeg.isEmpty())
        stored.jpeg = frame.jpeg;
    return changed;
}

void FrameStore::remove(const QString &id)
{
    m_frames.remove(id);
}

const StoredFrame *FrameStore::find(const QString &id) const
{
    const auto it = m_frames.constFind(id);
    if (it == m_frames.cend() || it->hash == 0)
        return nullptr;
    return &*it;
}

qint64 FrameStore::bytesHeld() const
{
    qint64 total = 0;
    for (const StoredFrame &frame : m_frames)
        total += frame.thumbnailJpeg.size() + frame.png.size() + frame.jpeg.size();
    return total;
}
