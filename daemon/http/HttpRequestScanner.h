#pragma once

#include <chrono>
#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>

// The head of one HTTP request exactly as it arrived: every field, duplicates kept apart.
struct HttpRequestHead
{
    QByteArray method;
    QByteArray target;
    QByteArray version;
    QList<QPair<QByteArray, QByteArray>> fields; // names lower-cased, values trimmed

    QList<QByteArray> values(QByteArrayView name) const;
    // The single value of a field; nullopt when absent or present more than once.
    std::optional<QByteArray> single(QByteArrayView name) const;
    bool has(QByteArrayView name) const { return !values(name).isEmpty(); }
    QByteArray path() const; // the target without its query
    bool isWebSocketUpgrade() const;
    bool wantsClose() const;
};

// Follows the byte stream of one connection, request after request, the way QHttpServer will
// read it, and refuses what Qt 6.4 would buffer without limit or misparse.
class HttpRequestScanner
{
public:
    struct Limits
    {
        qsizetype maxHeadBytes = 64 * 1024;
        int maxFields = 100;
        qint64 maxBodyBytes = 1024 * 1024;
    };

    struct Rejection
    {
        int status;
        QByteArray message;
        QList<QPair<QByteArray, QByteArray>> headers = {};
        std::chrono::milliseconds delay{0}; // hold the answer back (repeated auth failures)
    };

    enum class Event
    {
        NeedMore,
        HeadComplete,
        RequestComplete,
        Upgraded,
        Rejected
    };

    explicit HttpRequestScanner(Limits limits) : m_limits(limits) {}

    // Consumes data up to the next event; call again with the rest until it returns NeedMore.
    // `consumed` tells how much of data was used.
    Event feed(QByteArrayView data, qsizetype *consumed);

    const HttpRequestHead &head() const { return m_head; }
    const Rejection &rejection() const { return m_rejection; }
    qint64 bodyLength() const { return m_bodyLength; }
    bool inRequest() const { return m_state != State::Idle; }
    bool upgraded() const { return m_state == State::Passthrough; }

    static std::optional<Rejection> parseHead(const QByteArray &block, const Limits &limits,
                                              HttpRequestHead *head, qint64 *bodyLength);

private:
    enum class State
    {
        Idle,
        Head,
        Body,
        Passthrough,
        Rejected
    };

    Event reject(int status, QByteArray message);

    Limits m_limits;
    State m_state = State::Idle;
    QByteArray m_headBuffer;
    HttpRequestHead m_head;
    qint64 m_bodyLength = 0;
    qint64 m_bodyLeft = 0;
    Rejection m_rejection{0, {}};
};
