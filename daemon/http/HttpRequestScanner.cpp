#include "http/HttpRequestScanner.h"

namespace {

bool isTokenChar(char c)
{
    if (c >= 'a' && c <= 'z')
        return true;
    if (c >= 'A' && c <= 'Z')
        return true;
    if (c >= '0' && c <= '9')
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), isTokenChar);
}

bool hasControl(QByteArrayView text)
{
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && u != '\t') || u == 0x7f;
    });
}

} // namespace

QList<QByteArray> HttpRequestHead::values(QByteArrayView name) const
{
    QList<QByteArray> out;
    for (const auto &[key, value] : fields) {
        if (key == name)
            out.append(value);
    }
    return out;
}

std::optional<QByteArray> HttpRequestHead::single(QByteArrayView name) const
{
    const QList<QByteArray> all = values(name);
    if (all.size() != 1)
        return std::nullopt;
    return all.first();
}

QByteArray HttpRequestHead::path() const
{
    const qsizetype query = target.indexOf('?');
    return query < 0 ? target : target.left(query);
}

bool HttpRequestHead::isWebSocketUpgrade() const
{
    const auto upgrade = single("upgrade");
    return upgrade && upgrade->compare("websocket", Qt::CaseInsensitive) == 0;
}

bool HttpRequestHead::wantsClose() const
{
    for (const QByteArray &value : values("connection")) {
        for (const QByteArray &token : value.split(',')) {
            if (token.trimmed().compare("close", Qt::CaseInsensitive) == 0)
                return true;
        }
    }
    return version == "HTTP/1.0" &&
           !std::any_of(fields.cbegin(), fields.cend(), [](const auto &field) {
               return field.first == "connection" &&
                      field.second.compare("keep-alive", Qt::CaseInsensitive) == 0;
           });
}

HttpRequestScanner::Event HttpRequestScanner::reject(int status, QByteArray message)
{
    m_state = State::Rejected;
    m_rejection = {status, std::move(message)};
    return Event::Rejected;
}

std::optional<HttpRequestScanner::Rejection> HttpRequestScanner::parseHead(const QByteArray &block,
                                                                           const Limits &limits,
                                                                           HttpRequestHead *head,
                                                                           qint64 *bodyLength)
{
    *head = {};
    *bodyLength = 0;
    QList<QByteArray> lines = block.split('\n');
    for (QByteArray &line : lines) {
        if (line.endsWith('\r'))
            line.chop(1);
    }
    while (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    if (lines.isEmpty())
        return Rejection{400, "empty request"};

    const QList<QByteArray> requestLine = lines.first().split(' ');
    if (requestLine.size() != 3 || !isToken(requestLine[0]) || requestLine[1].isEmpty() ||
        hasControl(requestLine[1]))
        return Rejection{400, "malformed request line"};
    if (requestLine[2] != "HTTP/1.1" && requestLine[2] != "HTTP/1.0")
        return Rejection{505, "only HTTP/1.0 and HTTP/1.1 are supported"};
    head->method = requestLine[0];
    head->target = requestLine[1];
    head->version = requestLine[2];

    if (lines.size() - 1 > limits.maxFields)
        return Rejection{400,
                         "more than " + QByteArray::number(limits.maxFields) + " header fields"};
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        if (line.startsWith(' ') || line.startsWith('\t'))
            return Rejection{400, "obsolete header line folding"};
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(QByteArrayView(line).first(colon)))
            return Rejection{400, "malformed header field"};
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (hasControl(value))
            return Rejection{400, "control character in a header field"};
        head->fields.append({line.left(colon).toLower(), value});
    }

    const QList<QByteArray> lengths = head->values("content-length");
    const QList<QByteArray> encodings = head->values("transfer-encoding");
    if (!encodings.isEmpty()) {
        if (!lengths.isEmpty())
            return Rejection{400, "both Content-Length and Transfer-Encoding"};
        return Rejection{411, "chunked request bodies are not accepted; send Content-Length"};
    }
    if (lengths.size() > 1)
        return Rejection{400, "more than one Content-Length"};
    if (lengths.size() == 1) {
        const QByteArray &text = lengths.first();
        if (text.isEmpty() || text.size() > 18 ||
            !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return Rejection{400, "Content-Length is not a non-negative number"};
        *bodyLength = text.toLongLong();
        if (*bodyLength > limits.maxBodyBytes)
            return Rejection{413, "request body larger than " +
                                      QByteArray::number(limits.maxBodyBytes) + " bytes"};
    }
    const QList<QByteArray> hosts = head->values("host");
    if (hosts.size() > 1)
        return Rejection{400, "more than one Host header"};
    if (head->version == "HTTP/1.1" && hosts.isEmpty())
        return Rejection{400, "missing Host header"};
    return std::nullopt;
}

HttpRequestScanner::Event HttpRequestScanner::feed(QByteArrayView data, qsizetype *consumed)
{
    *consumed = 0;
    switch (m_state) {
    case State::Rejected:
        *consumed = data.size();
        return Event::Rejected;
    case State::Passthrough:
        *consumed = data.size();
        return Event::NeedMore;
    case State::Body: {
        const qint64 take = std::min<qint64>(m_bodyLeft, data.size());
        *consumed = take;
        m_bodyLeft -= take;
        if (m_bodyLeft > 0)
            return Event::NeedMore;
        m_state = State::Idle;
        return Event::RequestComplete;
    }
    case State::Idle:
    case State::Head:
        break;
    }

    // Blank lines between requests are allowed (RFC 9112 2.2).
    qsizetype start = 0;
    if (m_state == State::Idle) {
        while (start < data.size() && (data[start] == '\r' || data[start] == '\n'))
            ++start;
        if (start == data.size()) {
            *consumed = start;
            return Event::NeedMore;
        }
        m_state = State::Head;
        m_headBuffer.clear();
    }

    // Find the end of the head, which may straddle what was buffered and what just came.
    const qsizetype previous = m_headBuffer.size();
    const qsizetype room = m_limits.maxHeadBytes + 4 - previous;
    const QByteArrayView fresh = data.sliced(start, std::min<qsizetype>(room, data.size() - start));
    m_headBuffer.append(fresh);
    qsizetype end = -1;
    qsizetype terminator = 0;
    const qsizetype searchFrom = std::max<qsizetype>(0, previous - 3);
    for (qsizetype i = searchFrom; i < m_headBuffer.size(); ++i) {
        if (m_headBuffer[i] != '\n')
            continue;
        if (i + 1 < m_headBuffer.size() && m_headBuffer[i + 1] == '\n') {
            end = i;
            terminator = 2;
            break;
        }
        if (i + 2 < m_headBuffer.size() && m_headBuffer[i + 1] == '\r' &&
            m_headBuffer[i + 2] == '\n') {
            end = i;
            terminator = 3;
            break;
        }
    }
    if (end < 0) {
        if (m_headBuffer.size() > m_limits.maxHeadBytes)
            return reject(431, "request head larger than " +
                                   QByteArray::number(m_limits.maxHeadBytes) + " bytes");
        *consumed = start + fresh.size();
        return Event::NeedMore;
    }
    const qsizetype headLength = end + terminator;
    *consumed = start + (headLength - previous);
    const QByteArray block = m_headBuffer.left(end + 1);
    m_headBuffer.clear();
    if (headLength > m_limits.maxHeadBytes + 4)
        return reject(431, "request head larger than " + QByteArray::number(m_limits.maxHeadBytes) +
                               " bytes");
    if (auto rejection = parseHead(block, m_limits, &m_head, &m_bodyLength))
        return reject(rejection->status, rejection->message);

    if (m_head.isWebSocketUpgrade()) {
        m_state = State::Passthrough;
        return Event::Upgraded;
    }
    m_bodyLeft = m_bodyLength;
    m_state = m_bodyLeft > 0 ? State::Body : State::Idle;
    return Event::HeadComplete;
}
