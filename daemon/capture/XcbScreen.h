#pragma once

#include <functional>
#include <mutex>

#include <QByteArray>
#include <QHash>
#include <QImage>
#include <QString>

#include "shared/Expected.h"

struct xcb_connection_t;

// A connection to one X display that grabs its root window through MIT-SHM and watches
// DAMAGE, so an unchanged screen costs neither a grab nor a hash. Used from worker threads,
// one grab at a time.
class XcbScreen
{
public:
    enum class Outcome
    {
        Grabbed,
        Unchanged
    };

    XcbScreen(int display, QByteArray cookie);
    ~XcbScreen();
    XcbScreen(const XcbScreen &) = delete;
    XcbScreen &operator=(const XcbScreen &) = delete;

    // Hands the current frame to consume (valid only during the call) unless DAMAGE says
    // nothing changed since the last grab and force is false.
    Expected<Outcome, QString> grab(bool force, const std::function<void(const QImage &)> &consume);

    static constexpr int ReplyTimeoutMs = 3000;

private:
    std::optional<QString> connect();
    void disconnect();
    bool drainDamage();
    std::optional<QString> waitForReply(unsigned int sequence, void **reply);

    int m_display;
    QByteArray m_cookie;
    std::mutex m_mutex;
    xcb_connection_t *m_connection = nullptr;
    quint32 m_root = 0;
    int m_width = 0;
    int m_height = 0;
    int m_depth = 0;
    quint32 m_damage = 0;
    quint8 m_damageEvent = 0;
    bool m_hasDamage = false;
    bool m_damaged = true;
    QHash<int, quint32> m_attachedSegments; // shmid -> our seg id on this connection
};
