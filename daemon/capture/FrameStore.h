#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QSize>
#include <QString>

#include "capture/FrameProcessor.h"

// The latest frame of one sandbox, in the encodings asked for so far.
struct StoredFrame
{
    quint64 hash = 0;
    QSize size;
    QDateTime capturedAt; // when its pixels last changed
    QByteArray thumbnailJpeg;
    QByteArray png;  // encoded on demand, dropped when the frame changes
    QByteArray jpeg; // likewise

    QByteArray etag(char kind) const;
};

// The latest frame per sandbox. Lives on the main thread.
class FrameStore
{
public:
    // Returns true when the frame's pixels changed.
    bool update(const QString &id, const ProcessedFrame &frame);
    void remove(const QString &id);
    const StoredFrame *find(const QString &id) const;
    qsizetype count() const { return m_frames.size(); }
    qint64 bytesHeld() const;

private:
    QHash<QString, StoredFrame> m_frames;
};
