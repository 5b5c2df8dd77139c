#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include <QHash>
#include <QList>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include "capture/CaptureMethod.h"
#include "capture/FrameStore.h"
#include "shared/Expected.h"

class FrameSource;

// Captures every attached sandbox's screen on a timer, keeps the latest frame in a
// FrameStore, and encodes full-size images when someone asks for one.
class CaptureService : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CaptureService)

public:
    static constexpr std::chrono::milliseconds Interval{2000};
    // Captures under way at once (the native path's work is bounded by its 2-thread pool
    // already; this bounds the import fallback's processes, 50 of which every 2 s would
    // swamp the machine).
    static constexpr int MaxInFlight = 4;
    enum class Format
    {
        Png,
        Jpeg
    };
    using FullDone = std::function<void(Expected<const StoredFrame *, QString>)>;

    explicit CaptureService(CaptureMethod method, QObject *parent = nullptr);
    ~CaptureService() override;

    void attachXvfb(const QString &id, int display, const QByteArray &cookie,
                    const QString &xauthority);
    void attachQmp(const QString &id, const QString &socketPath, const QString &outputFile);
    void detach(const QString &id);
    bool isAttached(const QString &id) const { return m_sources.contains(id); }

    // Calls done once the frame holds the format, capturing anew if needed.
    void fullFrame(const QString &id, Format format, QObject *context, FullDone done);

    const FrameStore &store() const { return m_store; }
    QString lastError(const QString &id) const;

Q_SIGNALS:
    void frameChanged(const QString &id);

private:
    struct Slot
    {
        std::unique_ptr<FrameSource> source;
        bool busy = false;
        quint64 generation = 0;
        QString lastError;
        QList<std::pair<Format, FullDone>> waiters;
    };

    void attach(const QString &id, std::unique_ptr<FrameSource> source);
    void tick();
    void drain();
    void captureOne(const QString &id, bool forFull);
    void finishWaiters(const QString &id, const QString &error);

    CaptureMethod m_method;
    QThreadPool m_pool;
    QTimer m_timer;
    FrameStore m_store;
    QHash<QString, std::shared_ptr<Slot>> m_sources;
    int m_inFlight = 0;
    QStringList m_round; // this tick's sandboxes still to capture
};
