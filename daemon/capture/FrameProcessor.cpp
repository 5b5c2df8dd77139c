#include "capture/FrameProcessor.h"

#include <xxhash.h>

#include <QBuffer>
#include <QImageReader>
#include <QImageWriter>

namespace FrameProcessor {

quint64 hash(const QImage &image)
{
    if (image.isNull())
        return 0;
    XXH3_state_t *state = XXH3_createState();
    XXH3_64bits_reset(state);
    const int rowBytes = image.width() * image.depth() / 8;
    // Hash row by row: padding at the end of a scan line is not part of the picture.
    if (rowBytes == image.bytesPerLine()) {
        XXH3_64bits_update(state, image.constBits(), static_cast<size_t>(image.sizeInBytes()));
    } else {
        for (int y = 0; y < image.height(); ++y)
            XXH3_64bits_update(state, image.constScanLine(y), static_cast<size_t>(rowBytes));
    }
    const quint64 sizeTag =
        (static_cast<quint64>(image.width()) << 32) | static_cast<quint64>(image.height());
    XXH3_64bits_update(state, &sizeTag, sizeof sizeTag);
    const quint64 result = XXH3_64bits_digest(state);
    XXH3_freeState(state);
    return result == 0 ? 1 : result; // 0 means "no frame"
}

QByteArray encode(const QImage &image, const char *format, int quality)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, format);
    if (quality >= 0)
        writer.setQuality(quality);
    if (!writer.write(image))
        return {};
    return bytes;
}

QByteArray thumbnail(const QImage &image)
{
    if (image.isNull())
        return {};
    // Halving with a fast filter first keeps the smooth pass cheap on a 1080p frame.
    QImage scaled = image;
    while (scaled.width() >= ThumbnailWidth * 2)
        scaled = scaled.scaled(scaled.width() / 2, scaled.height() / 2, Qt::IgnoreAspectRatio,
                               Qt::SmoothTransformation);
    if (scaled.width() > ThumbnailWidth)
        scaled = scaled.scaledToWidth(ThumbnailWidth, Qt::SmoothTransformation);
    return encode(scaled.convertToFormat(QImage::Format_RGB32), "jpeg", ThumbnailQuality);
}

ProcessedFrame process(const QImage &image, const FrameWants &wants)
{
    ProcessedFrame frame;
    frame.hash = hash(image);
    frame.size = image.size();
    frame.changed = frame.hash != wants.previousHash;
    if (frame.changed || wants.forceThumbnail)
        frame.thumbnailJpeg = thumbnail(image);
    if (wants.png)
        frame.png = encode(image, "png");
    if (wants.jpeg)
        frame.jpeg = encode(image.convertToFormat(QImage::Format_RGB32), "jpeg", FullJpegQuality);
    return frame;
}

ProcessedFrame processPng(const QByteArray &png, const FrameWants &wants, QString *error)
{
    QBuffer buffer;
    buffer.setData(png);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    reader.setAllocationLimit(512);
    const QImage image = reader.read();
    if (image.isNull()) {
        if (error)
            *error = QStringLiteral("cannot decode the captured image: ") + reader.errorString();
        return {};
    }
    FrameWants encodeWants = wants;
    encodeWants.png = false;
    ProcessedFrame frame = process(image, encodeWants);
    frame.png = png;
    return frame;
}

} // namespace FrameProcessor
