#include "capture/CaptureService.h"

#include <QLoggingCategory>
#include <QPointer>

#include "capture/FrameSource.h"

Q_LOGGING_CATEGORY(lcCapture, "manager.capture")

CaptureService::CaptureService(CaptureMethod method, QObject *parent)
    : QObject(parent), m_method(method)
{
    // Two threads bound the CPU spent on capture however many sandboxes run; threads never
    // expire so each keeps its one shared-memory segment.
    m_pool.setMaxThreadCount(2);
    m_pool.setExpiryTimeout(-1);
    m_timer.setInterval(Interval);
    connect(&m_timer, &QTimer::timeout, this, &CaptureService::tick);
    m_timer.start();
}

CaptureService::~CaptureService()
{
    m_sources.clear();
    m_pool.waitForDone();
}

void CaptureService::attachXvfb(const QString &id, int display, const QByteArray &cookie,
                                const QString &xauthority)
{
    if (m_method == CaptureMethod::Import)
        attach(id, std::make_unique<ImportFrameSource>(display, xauthority, m_pool));
    else
        attach(id, std::make_unique<XShmFrameSource>(display, cookie, m_pool));
}

void CaptureService::attachQmp(const QString &id, const QString &socketPath,
                               const QString &outputFile)
{
    attach(id, std::make_unique<QmpFrameSource>(socketPath, outputFile, m_pool));
}

void CaptureService::attach(const QString &id, std::unique_ptr<FrameSource> source)
{
    detach(id);
    auto slot = std::make_shared<Slot>();
    slot->source = std::move(source);
    m_sources.insert(id, slot);
    captureOne(id, false); // a first frame right away, not one interval later
}

void CaptureService::detach(const QString &id)
{
    const auto slot = m_sources.take(id);
    if (slot) {
        for (auto &[format, done] : slot->waiters)
            done(QStringLiteral("sandbox %1 stopped").arg(id));
        slot->waiters.clear();
    }
    m_store.remove(id);
}

QString CaptureService::lastError(const QString &id) const
{
    const auto slot = m_sources.value(id);
    return slot ? slot->lastError : QString();
}

void CaptureService::tick()
{
    // Every sandbox once per tick, at most MaxInFlight at a time: the next one starts as
    // soon as one finishes.
    m_round = m_sources.keys();
    drain();
}

void CaptureService::drain()
{
    while (m_inFlight < MaxInFlight && !m_round.isEmpty()) {
        const QString id = m_round.takeFirst();
        const auto slot = m_sources.value(id);
        if (slot && !slot->busy)
            captureOne(id, false);
    }
}

void CaptureService::captureOne(const QString &id, bool forFull)
{
    const auto slot = m_sources.value(id);
    if (!slot || slot->busy)
        return;
    FrameWants wants;
    if (const StoredFrame *frame = m_store.find(id))
        wants.previousHash = frame->hash;
    if (forFull) {
        for (const auto &[format, done] : slot->waiters) {
            wants.png |= format == Format::Png;
            wants.jpeg |= format == Format::Jpeg;
        }
    }
    slot->busy = true;
    ++m_inFlight;
    std::weak_ptr<Slot> weak = slot;
    slot->source->capture(
        wants, this, [this, id, weak, forFull](Expected<ProcessedFrame, QString> result) {
            --m_inFlight;
            const auto next = qScopeGuard([this] { drain(); });
            const auto current = weak.lock();
            if (!current || m_sources.value(id) != current)
                return; // detached while capturing
            current->busy = false;
            if (!result) {
                if (current->lastError != result.error())
                    qCWarning(lcCapture).noquote() << "sandbox" << id << ":" << result.error();
                current->lastError = result.error();
                finishWaiters(id, result.error());
                return;
            }
            current->lastError.clear();
            if (m_store.update(id, *result))
                Q_EMIT frameChanged(id);
            finishWaiters(id, {});
            if (current->waiters.isEmpty())
                return;
            if (forFull)
                finishWaiters(
                    id, QStringLiteral("the frame of sandbox %1 could not be encoded").arg(id));
            else
                captureOne(id, true);
        });
}

void CaptureService::finishWaiters(const QString &id, const QString &error)
{
    const auto slot = m_sources.value(id);
    if (!slot)
        return;
    const StoredFrame *frame = m_store.find(id);
    QList<std::pair<Format, FullDone>> pending;
    const auto waiters = std::exchange(slot->waiters, {});
    for (const auto &[format, done] : waiters) {
        if (!error.isEmpty()) {
            done(error);
            continue;
        }
        const bool ready = frame && !(format == Format::Png ? frame->png : frame->jpeg).isEmpty();
        if (ready)
            done(frame);
        else
            pending.append({format, done});
    }
    slot->waiters = pending;
}

void CaptureService::fullFrame(const QString &id, Format format, QObject *context, FullDone done)
{
    const auto slot = m_sources.value(id);
    if (!slot) {
        done(QStringLiteral("sandbox %1 has no display being captured").arg(id));
        return;
    }
    const StoredFrame *frame = m_store.find(id);
    if (frame && !(format == Format::Png ? frame->png : frame->jpeg).isEmpty()) {
        done(frame);
        return;
    }
    QPointer<QObject> guard(context);
    slot->waiters.append(
        {format, [guard, done = std::move(done)](Expected<const StoredFrame *, QString> result) {
             if (guard)
                 done(std::move(result));
         }});
    if (!slot->busy)
        captureOne(id, true);
}
