#pragma once

#include <chrono>

#include <QByteArray>
#include <QTimer>
#include <QWidget>

#include "SandboxKey.h"

class HostManager;
class QAction;
class QLabel;
class QPlainTextEdit;
class ReplyBox;
class SandboxActions;
class SandboxListModel;
class ScreenshotView;
class TerminalView;

// One sandbox up close: its live screen, its details, Claude metrics and the tail of its log,
// with the actions on it.
class SandboxDetailWindow : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxDetailWindow)

public:
    static constexpr std::chrono::milliseconds ScreenshotInterval{2000};
    static constexpr std::chrono::milliseconds LogInterval{2000};
    static constexpr std::chrono::milliseconds MetricsInterval{5000};
    static constexpr int LogTailLines = 200;

    SandboxDetailWindow(SandboxKey key, const SandboxListModel &model, HostManager &hosts,
                        SandboxActions &actions, QWidget *parent = nullptr);

    const SandboxKey &key() const { return m_key; }
    ScreenshotView *screenshotView() const { return m_screen; }
    QPlainTextEdit *logView() const { return m_log; }
    TerminalView *terminalView() const { return m_terminal; }
    ReplyBox *replyBox() const { return m_reply; }

    static QString stripTerminalCodes(const QByteArray &text);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void buildUi();
    void refreshInfo();
    void fetchScreenshot();
    void fetchLog();
    void fetchMetrics();
    void connectTerminal();

    SandboxKey m_key;
    const SandboxListModel &m_model;
    HostManager &m_hosts;
    SandboxActions &m_actions;

    ScreenshotView *m_screen = nullptr;
    QPlainTextEdit *m_log = nullptr;
    TerminalView *m_terminal = nullptr;
    ReplyBox *m_reply = nullptr;
    QLabel *m_terminalState = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_info = nullptr;
    QLabel *m_metrics = nullptr;
    QLabel *m_message = nullptr;
    QAction *m_stop = nullptr;
    QAction *m_start = nullptr;
    QAction *m_delete = nullptr;
    QAction *m_attach = nullptr;
    QAction *m_copy = nullptr;
    QAction *m_browser = nullptr;
    QAction *m_fit = nullptr;

    QTimer m_screenshotTimer;
    QTimer m_logTimer;
    QTimer m_metricsTimer;
    QByteArray m_etag;
    QByteArray m_lastLog;
    bool m_screenshotInFlight = false;
    bool m_logInFlight = false;
    bool m_metricsInFlight = false;
};
