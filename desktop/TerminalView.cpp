#include "TerminalView.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QWebSocket>

#include <vterm.h>

namespace {

QColor toQColor(VTermScreen *screen, VTermColor color, const QColor &fallback)
{
    if (VTERM_COLOR_IS_DEFAULT_FG(&color) || VTERM_COLOR_IS_DEFAULT_BG(&color))
        return fallback;
    vterm_screen_convert_color_to_rgb(screen, &color);
    return QColor(color.rgb.red, color.rgb.green, color.rgb.blue);
}

const QColor Background(0x0b, 0x0d, 0x10);
const QColor Foreground(0xd6, 0xdb, 0xe1);

} // namespace

TerminalView::TerminalView(QWidget *parent) : QWidget(parent)
{
    m_font = QFont(QStringLiteral("DejaVu Sans Mono"));
    m_font.setStyleHint(QFont::Monospace);
    m_font.setFixedPitch(true);
    m_font.setPointSize(9);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::NoFocus);
    setAccessibleName(tr("Terminal (read-only)"));
    m_reconnect.setSingleShot(true);
    m_reconnect.setInterval(ReconnectDelay);
    connect(&m_reconnect, &QTimer::timeout, this, &TerminalView::connectStream);
    resetTerminal(m_cols, m_rows);
}

TerminalView::~TerminalView()
{
    stop();
    if (m_vterm)
        vterm_free(m_vterm);
}

void TerminalView::resetTerminal(int cols, int rows)
{
    m_cols = std::clamp(cols, 1, 1000);
    m_rows = std::clamp(rows, 1, 500);
    if (!m_vterm) {
        m_vterm = vterm_new(m_rows, m_cols);
        vterm_set_utf8(m_vterm, 1);
        m_screen = vterm_obtain_screen(m_vterm);
        vterm_screen_enable_altscreen(m_screen, 1);
    } else {
        vterm_set_size(m_vterm, m_rows, m_cols);
    }
    vterm_screen_reset(m_screen, 1);
    updateGeometry();
    update();
}

void TerminalView::feed(const QByteArray &bytes)
{
    vterm_input_write(m_vterm, bytes.constData(), size_t(bytes.size()));
    update(); // painted once per frame however many messages came
}

QSize TerminalView::sizeHint() const
{
    const QFontMetrics metrics(m_font);
    return {metrics.horizontalAdvance(u'M') * m_cols, metrics.height() * m_rows};
}

QString TerminalView::text() const
{
    QStringList lines;
    for (int row = 0; row < m_rows; ++row) {
        QString line;
        for (int col = 0; col < m_cols; ++col) {
            VTermScreenCell cell{};
            vterm_screen_get_cell(m_screen, VTermPos{row, col}, &cell);
            if (cell.chars[0] == 0) {
                line += u' ';
                continue;
            }
            for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell.chars[i]; ++i)
                line += QString::fromUcs4(reinterpret_cast<const char32_t *>(&cell.chars[i]), 1);
            col += std::max(1, int(cell.width)) - 1;
        }
        while (line.endsWith(u' '))
            line.chop(1);
        lines.append(line);
    }
    return lines.join(u'\n');
}

void TerminalView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), Background);
    // Scaled to fit the widget: the pane keeps the holder's size.
    const QFontMetrics metrics(m_font);
    const qreal cellWidth = metrics.horizontalAdvance(u'M');
    const qreal cellHeight = metrics.height();
    const qreal scale =
        std::min({1.0, width() / (cellWidth * m_cols), height() / (cellHeight * m_rows)});
    painter.scale(scale, scale);
    painter.setFont(m_font);
    QFont bold = m_font;
    bold.setBold(true);
    VTermPos cursor{};
    vterm_state_get_cursorpos(vterm_obtain_state(m_vterm), &cursor);
    for (int row = 0; row < m_rows; ++row) {
        for (int col = 0; col < m_cols; ++col) {
            VTermScreenCell cell{};
            vterm_screen_get_cell(m_screen, VTermPos{row, col}, &cell);
            QColor fg = toQColor(m_screen, cell.fg, Foreground);
            QColor bg = toQColor(m_screen, cell.bg, Background);
            if (cell.attrs.reverse)
                std::swap(fg, bg);
            const int span = std::max(1, int(cell.width));
            const QRectF box(col * cellWidth, row * cellHeight, cellWidth * span, cellHeight);
            if (bg != Background)
                painter.fillRect(box, bg);
            if (row == cursor.row && col == cursor.col)
                painter.fillRect(box, QColor(0xd6, 0xdb, 0xe1, 90));
            if (cell.chars[0] != 0 && cell.chars[0] != u' ') {
                QString glyphs;
                for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell.chars[i]; ++i)
                    glyphs +=
                        QString::fromUcs4(reinterpret_cast<const char32_t *>(&cell.chars[i]), 1);
                painter.setFont(cell.attrs.bold ? bold : m_font);
                painter.setPen(fg);
                painter.drawText(QPointF(box.left(), box.top() + metrics.ascent()), glyphs);
            }
            col += span - 1;
        }
    }
}

void TerminalView::setStream(const QNetworkRequest &request)
{
    stop();
    m_request = request;
    m_stopped = false;
    connectStream();
}

void TerminalView::stop()
{
    m_stopped = true;
    m_reconnect.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    m_connected = false;
}

void TerminalView::connectStream()
{
    if (m_stopped)
        return;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->deleteLater();
    }
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket->setMaxAllowedIncomingMessageSize(16 * 1024 * 1024);
    connect(m_socket, &QWebSocket::connected, this, [this] {
        m_connected = true;
        Q_EMIT connectionChanged(true, tr("live"));
    });
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        const QString reason = m_socket ? m_socket->closeReason() : QString();
        m_connected = false;
        Q_EMIT connectionChanged(false, reason.isEmpty() ? tr("reconnecting…")
                                                         : reason + tr("; reconnecting…"));
        if (!m_stopped)
            m_reconnect.start();
    });
    connect(m_socket, &QWebSocket::textMessageReceived, this, &TerminalView::onText);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &TerminalView::feed);
    m_socket->open(m_request);
}

void TerminalView::onText(const QString &message)
{
    const QJsonObject object = QJsonDocument::fromJson(message.toUtf8()).object();
    const QString type = object.value(QStringLiteral("type")).toString();
    if (type == u"screen") {
        resetTerminal(object.value(QStringLiteral("cols")).toInt(),
                      object.value(QStringLiteral("rows")).toInt());
        feed(object.value(QStringLiteral("data")).toString().toUtf8());
    } else if (type == u"size") {
        m_cols = object.value(QStringLiteral("cols")).toInt(m_cols);
        m_rows = object.value(QStringLiteral("rows")).toInt(m_rows);
        vterm_set_size(m_vterm, m_rows, m_cols);
        updateGeometry();
        update();
    } else if (type == u"control") {
        const QJsonObject holder = object.value(QStringLiteral("holder")).toObject();
        m_holder = holder.value(QStringLiteral("actor"))
                       .toObject()
                       .value(QStringLiteral("description"))
                       .toString();
        Q_EMIT holderChanged(m_holder);
    }
}
