#include "capture/XcbScreen.h"

#include <poll.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include <xcb/damage.h>
#include <xcb/shm.h>
#include <xcb/xcb.h>
#include <xcb/xcbext.h>

#include <QElapsedTimer>

namespace {

// One shared-memory segment per worker thread, reused for every display: the daemon's
// resident memory stays at one frame per thread rather than one per sandbox.
struct ThreadSegment
{
    int shmid = -1;
    void *address = nullptr;
    size_t size = 0;

    ~ThreadSegment() { release(); }

    void release()
    {
        if (address)
            shmdt(address);
        address = nullptr;
        shmid = -1;
        size = 0;
    }

    bool ensure(size_t bytes)
    {
        if (address && size >= bytes)
            return true;
        release();
        shmid = shmget(IPC_PRIVATE, bytes, IPC_CREAT | 0600);
        if (shmid < 0)
            return false;
        address = shmat(shmid, nullptr, 0);
        // Marked for removal now: the kernel frees it once the X servers and we detach.
        shmctl(shmid, IPC_RMID, nullptr);
        if (address == reinterpret_cast<void *>(-1)) {
            address = nullptr;
            return false;
        }
        size = bytes;
        return true;
    }
};

thread_local ThreadSegment t_segment;

} // namespace

XcbScreen::XcbScreen(int display, QByteArray cookie)
    : m_display(display), m_cookie(std::move(cookie))
{}

XcbScreen::~XcbScreen()
{
    std::lock_guard lock(m_mutex);
    disconnect();
}

void XcbScreen::disconnect()
{
    if (m_connection)
        xcb_disconnect(m_connection);
    m_connection = nullptr;
    m_attachedSegments.clear();
    m_damaged = true;
}

std::optional<QString> XcbScreen::connect()
{
    const QByteArray displayName = ':' + QByteArray::number(m_display);
    QByteArray authName = QByteArrayLiteral("MIT-MAGIC-COOKIE-1");
    xcb_auth_info_t auth{static_cast<int>(authName.size()), authName.data(),
                         static_cast<int>(m_cookie.size()), m_cookie.data()};
    int screenNumber = 0;
    // No cookie: a display made without one (the reference daemon ran Xvfb with -ac).
    m_connection =
        m_cookie.isEmpty()
            ? xcb_connect(displayName.constData(), &screenNumber)
            : xcb_connect_to_display_with_auth_info(displayName.constData(), &auth, &screenNumber);
    if (const int error = xcb_connection_has_error(m_connection)) {
        disconnect();
        return QStringLiteral("cannot connect to X display :%1 (xcb error %2)")
            .arg(m_display)
            .arg(error);
    }
    const xcb_setup_t *setup = xcb_get_setup(m_connection);
    xcb_screen_iterator_t it = xcb_setup_roots_iterator(setup);
    for (int i = 0; i < screenNumber && it.rem; ++i)
        xcb_screen_next(&it);
    if (!it.rem) {
        disconnect();
        return QStringLiteral("X display :%1 has no screen").arg(m_display);
    }
    m_root = it.data->root;
    m_width = it.data->width_in_pixels;
    m_height = it.data->height_in_pixels;
    m_depth = it.data->root_depth;
    if (m_depth != 24 && m_depth != 16) {
        disconnect();
        return QStringLiteral("X display :%1 has depth %2; native capture supports 16 and 24 "
                              "(set MANAGER_CAPTURE=import)")
            .arg(m_display)
            .arg(m_depth);
    }

    const xcb_query_extension_reply_t *shm = xcb_get_extension_data(m_connection, &xcb_shm_id);
    if (!shm || !shm->present) {
        disconnect();
        return QStringLiteral("X display :%1 lacks MIT-SHM").arg(m_display);
    }

    // DAMAGE is an optimisation: without it every tick grabs and hashes.
    m_hasDamage = false;
    const xcb_query_extension_reply_t *damage =
        xcb_get_extension_data(m_connection, &xcb_damage_id);
    if (damage && damage->present) {
        auto cookie = xcb_damage_query_version(m_connection, XCB_DAMAGE_MAJOR_VERSION,
                                               XCB_DAMAGE_MINOR_VERSION);
        void *reply = nullptr;
        if (!waitForReply(cookie.sequence, &reply) && reply) {
            free(reply);
            m_damage = xcb_generate_id(m_connection);
            xcb_damage_create(m_connection, m_damage, m_root, XCB_DAMAGE_REPORT_LEVEL_NON_EMPTY);
            m_damageEvent = damage->first_event + XCB_DAMAGE_NOTIFY;
            m_hasDamage = true;
        }
    }
    m_damaged = true;
    xcb_flush(m_connection);
    return std::nullopt;
}

bool XcbScreen::drainDamage()
{
    bool damaged = false;
    while (xcb_generic_event_t *event = xcb_poll_for_event(m_connection)) {
        if ((event->response_type & 0x7f) == m_damageEvent)
            damaged = true;
        free(event);
    }
    return damaged;
}

std::optional<QString> XcbScreen::waitForReply(unsigned int sequence, void **reply)
{
    xcb_flush(m_connection);
    xcb_generic_error_t *error = nullptr;
    QElapsedTimer timer;
    timer.start();
    const int fd = xcb_get_file_descriptor(m_connection);
    while (true) {
        if (xcb_poll_for_reply(m_connection, sequence, reply, &error)) {
            if (error) {
                const int code = error->error_code;
                free(error);
                return QStringLiteral("X error %1 on display :%2").arg(code).arg(m_display);
            }
            return std::nullopt;
        }
        if (xcb_connection_has_error(m_connection))
            return QStringLiteral("X display :%1 closed the connection").arg(m_display);
        const qint64 left = ReplyTimeoutMs - timer.elapsed();
        if (left <= 0)
            return QStringLiteral("X display :%1 did not answer within %2 ms")
                .arg(m_display)
                .arg(ReplyTimeoutMs);
        pollfd pfd{fd, POLLIN, 0};
        ::poll(&pfd, 1, static_cast<int>(left));
    }
}

Expected<XcbScreen::Outcome, QString>
XcbScreen::grab(bool force, const std::function<void(const QImage &)> &consume)
{
    std::lock_guard lock(m_mutex);
    if (m_connection && xcb_connection_has_error(m_connection))
        disconnect();
    if (!m_connection) {
        if (auto error = connect())
            return *error;
    }

    if (m_hasDamage) {
        if (drainDamage())
            m_damaged = true;
        if (!m_damaged && !force)
            return Outcome::Unchanged;
        // Reset before grabbing: whatever is drawn from now on raises a new event.
        xcb_damage_subtract(m_connection, m_damage, XCB_NONE, XCB_NONE);
        m_damaged = false;
    }

    const int bytesPerPixel = m_depth == 16 ? 2 : 4;
    const size_t bytes =
        static_cast<size_t>(m_width) * static_cast<size_t>(m_height) * bytesPerPixel;
    if (!t_segment.ensure(bytes))
        return QStringLiteral("cannot allocate %1 bytes of shared memory for capture").arg(bytes);
    quint32 segment = m_attachedSegments.value(t_segment.shmid, 0);
    if (!segment) {
        segment = xcb_generate_id(m_connection);
        auto attach =
            xcb_shm_attach_checked(m_connection, segment, static_cast<quint32>(t_segment.shmid), 0);
        if (xcb_generic_error_t *error = xcb_request_check(m_connection, attach)) {
            free(error);
            return QStringLiteral("X display :%1 refused the shared memory segment").arg(m_display);
        }
        m_attachedSegments.insert(t_segment.shmid, segment);
    }

    auto cookie = xcb_shm_get_image(m_connection, m_root, 0, 0, static_cast<quint16>(m_width),
                                    static_cast<quint16>(m_height), ~0u, XCB_IMAGE_FORMAT_Z_PIXMAP,
                                    segment, 0);
    void *reply = nullptr;
    if (auto error = waitForReply(cookie.sequence, &reply)) {
        disconnect();
        return *error;
    }
    free(reply);
    if (m_hasDamage) {
        // Damage reported before the server handled the grab is in this frame already (the
        // X protocol stamps each event with the last request it had processed); only what
        // came after counts for the next tick.
        while (xcb_generic_event_t *event = xcb_poll_for_queued_event(m_connection)) {
            const auto since =
                static_cast<quint16>(event->sequence - static_cast<quint16>(cookie.sequence));
            if ((event->response_type & 0x7f) == m_damageEvent && since < 0x8000)
                m_damaged = true;
            free(event);
        }
    }

    const QImage image(static_cast<const uchar *>(t_segment.address), m_width, m_height,
                       m_width * bytesPerPixel,
                       m_depth == 16 ? QImage::Format_RGB16 : QImage::Format_RGB32);
    consume(image);
    return Outcome::Grabbed;
}
