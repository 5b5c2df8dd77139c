#pragma once

#include <chrono>

#include <QFont>
#include <QNetworkRequest>
#include <QTimer>
#include <QWidget>

class QWebSocket;
struct VTerm;
struct VTermScreen;

// A read-only view of a sandbox's terminal: the daemon's stream /ws/sandboxes/<id>/terminal
// (the current screen, then the pane's output as it comes) fed into libvterm and painted
// cell by cell. Read-only by choice: input goes through the reply box and key buttons
// (POST .../input), which need no control of the terminal.
class TerminalView : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TerminalView)

public:
    static constexpr std::chrono::milliseconds ReconnectDelay{2000};

    explicit TerminalView(QWidget *parent = nullptr);
    ~TerminalView() override;

    // Where the stream is (ws://…/ws/sandboxes/<id>/terminal, with the token header).
    void setStream(const QNetworkRequest &request);
    void stop();

    // The screen as text, one line per row, trailing blanks trimmed (for tests and copying).
    QString text() const;
    QSize terminalSize() const { return {m_cols, m_rows}; }
    bool isConnected() const { return m_connected; }
    QString holderDescription() const { return m_holder; }

    // Feeds terminal bytes (a screen or output) directly.
    void feed(const QByteArray &bytes);
    void resetTerminal(int cols, int rows);

    QSize sizeHint() const override;

Q_SIGNALS:
    void connectionChanged(bool connected, const QString &message);
    void holderChanged(const QString &description);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    void connectStream();
    void onText(const QString &message);

    QWebSocket *m_socket = nullptr;
    QNetworkRequest m_request;
    QTimer m_reconnect;
    VTerm *m_vterm = nullptr;
    VTermScreen *m_screen = nullptr;
    int m_cols = 80;
    int m_rows = 24;
    QFont m_font;
    bool m_connected = false;
    bool m_stopped = true;
    QString m_holder;
};
