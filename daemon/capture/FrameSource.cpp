#include "capture/FrameSource.h"

#include <QProcessEnvironment>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include "capture/QmpScreendump.h"
#include "capture/XcbScreen.h"
#include "sys/ToolProcess.h"

namespace {

void decodeInPool(QThreadPool &pool, QByteArray png, const FrameWants &wants, QObject *context,
                  FrameSource::Done done)
{
    QtConcurrent::run(&pool, [png = std::move(png), wants]() -> Expected<ProcessedFrame, QString> {
        QString error;
        ProcessedFrame frame = FrameProcessor::processPng(png, wants, &error);
        if (!error.isEmpty())
            return error;
        return frame;
    }).then(context, std::move(done));
}

} // namespace

XShmFrameSource::XShmFrameSource(int display, const QByteArray &cookie, QThreadPool &pool)
    : m_screen(std::make_shared<XcbScreen>(display, cookie)), m_pool(pool)
{}

void XShmFrameSource::capture(const FrameWants &wants, QObject *context, Done done)
{
    // The job holds its own reference: a sandbox stopped mid-grab frees the connection after.
    QtConcurrent::run(&m_pool, [screen = m_screen, wants]() -> Expected<ProcessedFrame, QString> {
        ProcessedFrame frame;
        const bool force =
            wants.png || wants.jpeg || wants.forceThumbnail || wants.previousHash == 0;
        const auto outcome = screen->grab(
            force, [&](const QImage &image) { frame = FrameProcessor::process(image, wants); });
        if (!outcome)
            return outcome.error();
        if (*outcome == XcbScreen::Outcome::Unchanged)
            frame.hash = wants.previousHash;
        return frame;
    }).then(context, std::move(done));
}

ImportFrameSource::ImportFrameSource(int display, QString xauthority, QThreadPool &pool)
    : m_display(display), m_xauthority(std::move(xauthority)), m_pool(pool)
{}

void ImportFrameSource::capture(const FrameWants &wants, QObject *context, Done done)
{
    auto *tool = new ToolProcess(QStringLiteral("import"),
                                 {QStringLiteral("-display"), u':' + QString::number(m_display),
                                  QStringLiteral("-silent"), QStringLiteral("-window"),
                                  QStringLiteral("root"), QStringLiteral("png:-")});
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XAUTHORITY"), m_xauthority);
    tool->setEnvironment(env);
    tool->setTimeout(std::chrono::seconds(20));
    QThreadPool *pool = &m_pool;
    QObject::connect(
        tool, &ToolProcess::finished, context,
        [pool, wants, context, done = std::move(done)](const ToolResult &result) mutable {
            if (!result.ok()) {
                done(result.failure);
                return;
            }
            decodeInPool(*pool, result.standardOutput, wants, context, std::move(done));
        });
    tool->start();
}

QmpFrameSource::QmpFrameSource(QString socketPath, QString outputFile, QThreadPool &pool)
    : m_socketPath(std::move(socketPath)), m_outputFile(std::move(outputFile)), m_pool(pool)
{}

void QmpFrameSource::capture(const FrameWants &wants, QObject *context, Done done)
{
    QThreadPool *pool = &m_pool;
    QmpScreendump::capture(
        m_socketPath, m_outputFile, context,
        [pool, wants, context, done = std::move(done)](Expected<QByteArray, QString> png) mutable {
            if (!png) {
                done(png.error());
                return;
            }
            decodeInPool(*pool, std::move(png).value(), wants, context, std::move(done));
        });
}
