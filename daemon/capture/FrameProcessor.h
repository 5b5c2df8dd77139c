#pragma once

#include <QByteArray>
#include <QImage>
#include <QSize>

// What a capture wants done with a frame, beyond hashing it.
struct FrameWants
{
    quint64 previousHash = 0;
    bool forceThumbnail = false; // encode the thumbnail even if the hash did not change
    bool png = false;            // also encode the full frame as PNG
    bool jpeg = false;           // also encode the full frame as JPEG
};

// The encoded products of one captured frame. Only what was asked for (and changed) is filled.
struct ProcessedFrame
{
    quint64 hash = 0;
    QSize size;
    bool changed = false;
    QByteArray thumbnailJpeg;
    QByteArray png;
    QByteArray jpeg;
};

// Pure functions that turn pixels into what the API serves; safe on any thread.
namespace FrameProcessor {

constexpr int ThumbnailWidth = 480;
constexpr int ThumbnailQuality = 75;
constexpr int FullJpegQuality = 85;

quint64 hash(const QImage &image);
QByteArray thumbnail(const QImage &image);
QByteArray encode(const QImage &image, const char *format, int quality = -1);
// Hashes image and encodes what `wants` asks for; skips the thumbnail when nothing changed.
ProcessedFrame process(const QImage &image, const FrameWants &wants);
// Same, for a source that already delivers PNG bytes (QMP, import): the PNG is kept as is.
ProcessedFrame processPng(const QByteArray &png, const FrameWants &wants, QString *error);

} // namespace FrameProcessor
