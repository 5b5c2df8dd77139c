#pragma once

#include <memory>

#include <QByteArray>

#include "http/HttpResponse.h"

class QHttpServerResponder;
class QIODevice;
class QTcpSocket;

// The way to answer one request, now or later. Copies share the one answer; only the first
// send() counts. Safe to use after the client went away (the answer is dropped).
class HttpReply
{
public:
    HttpReply(QHttpServerResponder &&responder, QByteArray commonHeaders, bool headRequest);

    void send(const HttpResponse &response) const;
    // Streams a device's contents (a large file) without reading it all into memory.
    void stream(QIODevice *device, const QByteArray &contentType) const;
    // An answer that stays open and is written in chunks (Transfer-Encoding: chunked), such
    // as a followed log. Exempts the connection from the request deadlines. Returns the
    // connection (destroyed when the client leaves), or nullptr when it is gone already.
    QObject *beginChunked(const HttpResponse &head) const;
    void writeChunk(QByteArrayView data) const;
    void endChunked() const; // the last chunk; the connection closes
    qint64 pendingBytes() const;
    // The socket property that tells GuardedTcpServer a connection streams an answer.

    bool isSent() const;
    bool isConnected() const;

private:
    struct State;
    std::shared_ptr<State> m_state;
};
