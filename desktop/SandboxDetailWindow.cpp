#include "SandboxDetailWindow.h"

#include <QAction>
#include <QDateTime>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSplitter>
#include <QToolBar>
#include <QVBoxLayout>

#include "Activity.h"
#include "HostManager.h"
#include "ReplyBox.h"
#include "SandboxActions.h"
#include "SandboxListModel.h"
#include "ScreenshotView.h"
#include "TerminalView.h"
#include "TileDelegate.h"

namespace {

QString timeText(const QDateTime &time)
{
    if (!time.isValid())
        return QStringLiteral("—");
    return QLocale().toString(time.toLocalTime(), QLocale::ShortFormat);
}

QString row(const QString &label, const QString &value)
{
    return QStringLiteral("<tr><td style='padding-right:12px'><b>%1</b></td><td>%2</td></tr>")
        .arg(label.toHtmlEscaped(), value.toHtmlEscaped());
}

} // namespace

SandboxDetailWindow::SandboxDetailWindow(SandboxKey key, const SandboxListModel &model,
                                         HostManager &hosts, SandboxActions &actions,
                                         QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_key(std::move(key))
    , m_model(model)
    , m_hosts(hosts)
    , m_actions(actions)
{
    setAttribute(Qt::WA_DeleteOnClose);
    buildUi();
    resize(1200, 760);

    m_screenshotTimer.setInterval(ScreenshotInterval);
    connect(&m_screenshotTimer, &QTimer::timeout, this, &SandboxDetailWindow::fetchScreenshot);
    m_logTimer.setInterval(LogInterval);
    connect(&m_logTimer, &QTimer::timeout, this, &SandboxDetailWindow::fetchLog);
    m_metricsTimer.setInterval(MetricsInterval);
    connect(&m_metricsTimer, &QTimer::timeout, this, &SandboxDetailWindow::fetchMetrics);

    connect(&m_model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                const QModelIndex mine = m_model.indexOf(m_key);
                if (mine.isValid() && mine.row() >= topLeft.row() &&
                    mine.row() <= bottomRight.row())
                    refreshInfo();
            });
    connect(&m_model, &QAbstractItemModel::rowsRemoved, this, &SandboxDetailWindow::refreshInfo);
    connect(&m_model, &QAbstractItemModel::rowsInserted, this, &SandboxDetailWindow::refreshInfo);
    connect(&m_actions, &SandboxActions::failed, this, [this](const QString &message) {
        if (message.contains(m_key.id.left(8)))
            m_message->setText(message);
    });
    refreshInfo();
}

void SandboxDetailWindow::buildUi()
{
    auto *toolbar = new QToolBar(this);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_stop = toolbar->addAction(tr("Stop"), this, [this] { m_actions.stop(m_key); });
    m_start = toolbar->addAction(tr("Start"), this, [this] { m_actions.start(m_key); });
    m_delete = toolbar->addAction(tr("Delete…"), this, [this] {
        const Sandbox *sandbox = m_model.sandbox(m_key);
        m_actions.confirmAndDelete(m_key, sandbox ? sandbox->name : m_key.id, this);
    });
    toolbar->addSeparator();
    m_attach = toolbar->addAction(tr("Attach in terminal"), this, [this] {
        if (const Sandbox *sandbox = m_model.sandbox(m_key))
            m_actions.attachInTerminal(m_key, sandbox->tmuxSession);
    });
    m_copy = toolbar->addAction(tr("Copy attach command"), this, [this] {
        if (const Sandbox *sandbox = m_model.sandbox(m_key))
            m_actions.copyAttachCommand(m_key, sandbox->tmuxSession);
    });
    m_browser =
        toolbar->addAction(tr("Open in browser"), this, [this] { m_actions.openInBrowser(m_key); });
    toolbar->addSeparator();
    m_fit = toolbar->addAction(tr("Fit to window"));
    m_fit->setCheckable(true);
    m_fit->setChecked(true);
    m_fit->setToolTip(tr("Scale the screen to the window; off shows it at 1:1"));
    connect(m_fit, &QAction::toggled, this, [this](bool fit) { m_screen->setFitToWindow(fit); });

    m_title = new QLabel(this);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    if (titleFont.pointSizeF() > 0)
        titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    m_title->setFont(titleFont);
    m_status = new QLabel(this);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("color: #c62828"));

    m_screen = new ScreenshotView(this);
    m_screen->setPlaceholder(tr("no screenshot yet"));

    m_info = new QLabel(this);
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_info->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_metrics = new QLabel(tr("Claude metrics: loading…"), this);
    m_metrics->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_log = new QPlainTextEdit(this);
    m_log->setReadOnly(true);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setMaximumBlockCount(LogTailLines * 2);

    auto *side = new QWidget(this);
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(m_info);
    sideLayout->addWidget(m_metrics);
    sideLayout->addWidget(new QLabel(tr("<b>Log</b> (last %1 lines)").arg(LogTailLines), side));
    sideLayout->addWidget(m_log, 1);

    auto *splitter = new QSplitter(this);
    splitter->addWidget(m_screen);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto *header = new QHBoxLayout;
    header->addWidget(m_title);
    header->addWidget(m_status);
    header->addStretch(1);

    // The live terminal, read-only, and the reply box: answering needs no control.
    auto *terminalPane = new QWidget(this);
    auto *terminalLayout = new QVBoxLayout(terminalPane);
    terminalLayout->setContentsMargins(0, 0, 0, 0);
    m_terminalState = new QLabel(tr("<b>Terminal</b> (read-only; reply below)"), terminalPane);
    m_terminal = new TerminalView(terminalPane);
    m_terminal->setMinimumHeight(160);
    m_reply = new ReplyBox(terminalPane);
    terminalLayout->addWidget(m_terminalState);
    terminalLayout->addWidget(m_terminal, 1);
    terminalLayout->addWidget(m_reply);
    const auto showTerminalState = [this] {
        QString text = tr("<b>Terminal</b> (read-only; reply below)");
        if (!m_terminal->isConnected())
            text += tr(" — reconnecting…");
        else if (!m_terminal->holderDescription().isEmpty())
            text += tr(" — controlled by %1").arg(m_terminal->holderDescription().toHtmlEscaped());
        m_terminalState->setText(text);
    };
    connect(m_terminal, &TerminalView::connectionChanged, this, showTerminalState);
    connect(m_terminal, &TerminalView::holderChanged, this, showTerminalState);

    auto *vertical = new QSplitter(Qt::Vertical, this);
    vertical->addWidget(splitter);
    vertical->addWidget(terminalPane);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(toolbar);
    layout->addLayout(header);
    layout->addWidget(m_message);
    layout->addWidget(vertical, 1);
}

void SandboxDetailWindow::refreshInfo()
{
    const Sandbox *sandbox = m_model.sandbox(m_key);
    if (!sandbox) {
        setWindowTitle(tr("%1 (deleted)").arg(m_key.id.left(8)));
        m_status->setText(tr("deleted"));
        for (QAction *action : {m_stop, m_start, m_delete, m_attach, m_copy, m_browser})
            action->setEnabled(false);
        m_screenshotTimer.stop();
        m_logTimer.stop();
        m_metricsTimer.stop();
        return;
    }
    const bool hostUp = m_model.isHostUp(m_key.host);
    setWindowTitle(tr("%1 on %2 — claude-remote-viewer").arg(sandbox->name, m_key.host));
    m_title->setText(sandbox->name);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QColor color = TileDelegate::statusColor(static_cast<int>(sandbox->status));
    m_status->setText(
        QStringLiteral("<span style='color:white;background:%1'>&nbsp;%2&nbsp;</span> %3")
            .arg(color.name(), toString(sandbox->status),
                 Activity::describe(*sandbox, now).toHtmlEscaped()));
    if (!hostUp)
        m_message->setText(tr("%1: %2").arg(m_key.host, m_model.hostReason(m_key.host)));
    else if (m_message->text().startsWith(m_key.host + u':'))
        m_message->clear();

    QString html = QStringLiteral("<table>");
    html += row(tr("Host"), m_key.host);
    html += row(tr("Id"), sandbox->id);
    html += row(tr("Backend"), sandbox->backend);
    html += row(tr("Project"), sandbox->projectDir);
    html += row(tr("Network"), sandbox->network ? tr("on") : tr("off"));
    html += row(tr("Created"), timeText(sandbox->createdAt));
    html += row(tr("Started"), timeText(sandbox->startedAt));
    html += row(tr("Last activity"), timeText(sandbox->lastActivityAt));
    if (sandbox->displayNum)
        html += row(tr("Display"), u':' + QString::number(*sandbox->displayNum));
    html += row(tr("tmux session"), sandbox->tmuxSession);
    if (!sandbox->reason.isEmpty())
        html += row(tr("Reason"), sandbox->reason);
    if (sandbox->exitStatus)
        html += row(tr("Exit status"), QString::number(*sandbox->exitStatus));
    html += QStringLiteral("</table>");
    m_info->setText(html);

    const bool running = sandbox->isRunning();
    m_stop->setEnabled(hostUp && running);
    m_start->setEnabled(hostUp && !running);
    m_delete->setEnabled(hostUp);
    m_attach->setEnabled(running && !sandbox->tmuxSession.isEmpty());
    m_copy->setEnabled(!sandbox->tmuxSession.isEmpty());
    m_browser->setEnabled(hostUp);
    if (!running)
        m_screen->setPlaceholder(tr("not running"));
}

void SandboxDetailWindow::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_model.sandbox(m_key))
        return;
    m_screenshotTimer.start();
    m_logTimer.start();
    m_metricsTimer.start();
    fetchScreenshot();
    fetchLog();
    fetchMetrics();
    connectTerminal();
}

void SandboxDetailWindow::connectTerminal()
{
    HostConnection *host = m_hosts.connection(m_key.host);
    const Sandbox *sandbox = m_model.sandbox(m_key);
    if (!host || !sandbox) {
        m_reply->setTarget(nullptr, {});
        return;
    }
    m_reply->setTarget(&host->api(), m_key.id);
    m_terminal->setStream(host->api().terminalStreamRequest(m_key.id));
}

void SandboxDetailWindow::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_screenshotTimer.stop();
    m_logTimer.stop();
    m_metricsTimer.stop();
    m_terminal->stop();
}

void SandboxDetailWindow::fetchScreenshot()
{
    const Sandbox *sandbox = m_model.sandbox(m_key);
    HostConnection *host = m_hosts.connection(m_key.host);
    if (m_screenshotInFlight || !sandbox || !sandbox->isRunning() || !host || !host->isUp())
        return;
    m_screenshotInFlight = true;
    host->api().screenshot(m_key.id, ApiClient::ScreenshotSize::Full, m_etag, this,
                           [this](ApiResult<ScreenshotFetch> result) {
                               m_screenshotInFlight = false;
                               if (!result || result->unchanged)
                                   return;
                               QPixmap pixmap;
                               if (!pixmap.loadFromData(result->data))
                                   return;
                               m_etag = result->etag;
                               m_screen->setPixmap(pixmap);
                           });
}

void SandboxDetailWindow::fetchLog()
{
    HostConnection *host = m_hosts.connection(m_key.host);
    if (m_logInFlight || !host || !host->isUp())
        return;
    m_logInFlight = true;
    host->api().logTail(m_key.id, LogTailLines, this, [this](ApiResult<QByteArray> result) {
        m_logInFlight = false;
        if (!result) {
            if (result.error().httpStatus == 404)
                m_log->setPlainText(tr("(no log yet)"));
            return;
        }
        if (*result == m_lastLog)
            return;
        m_lastLog = *result;
        QScrollBar *bar = m_log->verticalScrollBar();
        const bool atEnd = bar->value() == bar->maximum();
        m_log->setPlainText(stripTerminalCodes(m_lastLog));
        if (atEnd)
            bar->setValue(bar->maximum());
    });
}

void SandboxDetailWindow::fetchMetrics()
{
    HostConnection *host = m_hosts.connection(m_key.host);
    if (m_metricsInFlight || !host || !host->isUp())
        return;
    m_metricsInFlight = true;
    host->api().claudeMetrics(m_key.id, this, [this](ApiResult<ClaudeMetrics> result) {
        m_metricsInFlight = false;
        if (!result) {
            if (result.error().kind != ApiFailure::Kind::Cancelled)
                m_metrics->setText(tr("Claude metrics: %1").arg(result.error().toString()));
            return;
        }
        const ClaudeMetrics &metrics = *result;
        const QLocale locale;
        m_metrics->setText(
            QStringLiteral("<table>") +
            row(tr("Claude sessions"), locale.toString(metrics.sessionCount)) +
            row(tr("Messages"), locale.toString(metrics.messageCount)) +
            row(tr("Tool uses"), locale.toString(metrics.toolUseCount)) +
            row(tr("Input tokens"), locale.toString(metrics.inputTokens)) +
            row(tr("Output tokens"), locale.toString(metrics.outputTokens)) +
            row(tr("Cache tokens (write / read)"), locale.toString(metrics.cacheCreationTokens) +
                                                       QStringLiteral(" / ") +
                                                       locale.toString(metrics.cacheReadTokens)) +
            QStringLiteral("</table>"));
    });
}

QString SandboxDetailWindow::stripTerminalCodes(const QByteArray &text)
{
    // CSI sequences (colours, cursor moves), OSC sequences (titles), then any other escape.
    static const QRegularExpression codes(QStringLiteral(
        "\\x1b\\[[0-?]*[ -/]*[@-~]|\\x1b\\][^\\x07\\x1b]*(?:\\x07|\\x1b\\\\)|\\x1b[@-_]"));
    QString plain = QString::fromUtf8(text);
    plain.remove(codes);
    plain.remove(u'\r');
    return plain;
}
