#pragma once

#include <functional>
#include <memory>

#include <QObject>
#include <QString>

#include "capture/FrameProcessor.h"
#include "shared/Expected.h"

class QThreadPool;
class XcbScreen;

// Where a sandbox's screen comes from. capture() never blocks the calling (main) thread:
// grabbing, hashing and encoding run on the capture thread pool.
class FrameSource
{
public:
    using Done = std::function<void(Expected<ProcessedFrame, QString>)>;

    virtual ~FrameSource() = default;
    virtual void capture(const FrameWants &wants, QObject *context, Done done) = 0;
};

// Xvfb through MIT-SHM and DAMAGE (libxcb).
class XShmFrameSource final : public FrameSource
{
public:
    XShmFrameSource(int display, const QByteArray &cookie, QThreadPool &pool);
    void capture(const FrameWants &wants, QObject *context, Done done) override;

private:
    std::shared_ptr<XcbScreen> m_screen;
    QThreadPool &m_pool;
};

// Xvfb through ImageMagick's import, the reference's method, kept as a fallback.
class ImportFrameSource final : public FrameSource
{
public:
    ImportFrameSource(int display, QString xauthority, QThreadPool &pool);
    void capture(const FrameWants &wants, QObject *context, Done done) override;

private:
    int m_display;
    QString m_xauthority;
    QThreadPool &m_pool;
};

// A QEMU VM through QMP screendump.
class QmpFrameSource final : public FrameSource
{
public:
    QmpFrameSource(QString socketPath, QString outputFile, QThreadPool &pool);
    void capture(const FrameWants &wants, QObject *context, Done done) override;

private:
    QString m_socketPath;
    QString m_outputFile;
    QThreadPool &m_pool;
};
