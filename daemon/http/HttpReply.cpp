#include "http/HttpReply.h"

#include <QDateTime>
#include <QHttpServerResponder>
#include <QIODevice>
#include <QLocale>
#include <QLoggingCategory>
#include <QPointer>
#include <QTcpSocket>

#include "http/HttpStatus.h"

namespace {

// RFC 9110 date of now, formatted once a second.
QByteArray httpDate()
{
    static qint64 second = -1;
    static QByteArray text;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if (now != second) {
        second = now;
        text = QLocale::c()
                   .toString(QDateTime::fromSecsSinceEpoch(now, Qt::UTC),
                             QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
                   .toLatin1();
    }
    return text;
}

} // namespace

struct HttpReply::State
{
    explicit State(QHttpServerResponder &&r) : responder(std::move(r)) {}
    QHttpServerResponder responder;
    QPointer<QTcpSocket> socket;
    QByteArray commonHeaders;
    bool headRequest = false;
    bool sent = false;
};

HttpReply::HttpReply(QHttpServerResponder &&responder, QByteArray commonHeaders, bool headRequest)
    : m_state(std::make_shared<State>(std::move(responder)))
{
    m_state->socket = m_state->responder.socket();
    m_state->commonHeaders = std::move(commonHeaders);
    m_state->headRequest = headRequest;
}

bool HttpReply::isSent() const
{
    return m_state->sent;
}

bool HttpReply::isConnected() const
{
    return m_state->socket && m_state->socket->state() == QAbstractSocket::ConnectedState;
}

void HttpReply::send(const HttpResponse &response) const
{
    if (m_state->sent)
        return;
    m_state->sent = true;
    if (!isConnected())
        return;
    // One write for head and body (QHttpServerResponder writes them piecewise); a large
    // body follows in a second write rather than being copied into the first.
    constexpr qsizetype InlineBody = 64 * 1024;
    const bool hasBody = !m_state->headRequest && response.status != 304 &&
                         response.status != 204 && !response.body.isEmpty();
    const bool inlineBody = hasBody && response.body.size() <= InlineBody;
    QByteArray out;
    out.reserve(1024 + (inlineBody ? response.body.size() : 0));
    out += "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + statusText(response.status) +
           "\r\n";
    if (!response.contentType.isEmpty())
        out += "Content-Type: " + response.contentType + "\r\n";
    if (response.status != 304 && response.status != 204)
        out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    for (const auto &[name, value] : response.headers)
        out += name + ": " + value + "\r\n";
    out += "Date: " + httpDate() + "\r\n";
    // A 304 is about the cached copy: what a cache needs, not the page headers again (a
    // grid of thumbnails polls mostly 304s).
    if (response.status != 304)
        out += m_state->commonHeaders;
    out += "\r\n";
    if (inlineBody)
        out += response.body;
    m_state->socket->write(out);
    if (hasBody && !inlineBody)
        m_state->socket->write(response.body);
}

void HttpReply::stream(QIODevice *device, const QByteArray &contentType) const
{
    std::unique_ptr<QIODevice> owned(device);
    if (m_state->sent)
        return;
    m_state->sent = true;
    if (!isConnected())
        return;
    QTcpSocket *socket = m_state->socket;
    QByteArray head = "HTTP/1.1 200 OK\r\nContent-Type: " + contentType +
                      "\r\nContent-Length: " + QByteArray::number(device->size()) + "\r\n" +
                      m_state->commonHeaders + "\r\n";
    socket->write(head);
    if (m_state->headRequest)
        return;
    // Copies the device as the socket drains: at most two chunks are held at a time.
    constexpr qint64 Chunk = 256 * 1024;
    device->setParent(socket);
    owned.release();
    auto pump = [socket, device] {
        while (socket->bytesToWrite() < Chunk && !device->atEnd()) {
            const QByteArray chunk = device->read(Chunk);
            if (chunk.isEmpty())
                break;
            socket->write(chunk);
        }
        if (device->atEnd())
            device->deleteLater();
    };
    QObject::connect(socket, &QTcpSocket::bytesWritten, device, pump);
    pump();
}

QObject *HttpReply::beginChunked(const HttpResponse &head) const
{
    if (m_state->sent || !isConnected())
        return nullptr;
    m_state->sent = true;
    QTcpSocket *socket = m_state->socket;
    socket->setProperty(StreamingProperty, true);
    QByteArray out = "HTTP/1.1 " + QByteArray::number(head.status) + ' ' + statusText(head.status) +
                     "\r\nContent-Type: " + head.contentType + "\r\nTransfer-Encoding: chunked\r\n";
    for (const auto &[name, value] : head.headers)
        out += name + ": " + value + "\r\n";
    out += "Date: " + httpDate() + "\r\n" + m_state->commonHeaders + "\r\n";
    socket->write(out);
    return socket;
}

void HttpReply::writeChunk(QByteArrayView data) const
{
    QTcpSocket *socket = m_state->socket;
    if (data.isEmpty() || !socket || socket->state() != QAbstractSocket::ConnectedState)
        return;
    socket->write(QByteArray::number(data.size(), 16) + "\r\n");
    socket->write(data.data(), data.size());
    socket->write("\r\n");
}

void HttpReply::endChunked() const
{
    QTcpSocket *socket = m_state->socket;
    if (!socket || socket->state() != QAbstractSocket::ConnectedState)
        return;
    socket->write("0\r\n\r\n");
    socket->disconnectFromHost();
}

qint64 HttpReply::pendingBytes() const
{
    QTcpSocket *socket = m_state->socket;
    return socket ? socket->bytesToWrite() : 0;
}
