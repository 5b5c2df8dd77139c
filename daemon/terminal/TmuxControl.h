#pragma once

#include <chrono>
#include <functional>

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QProcess>
#include <QQueue>

// One tmux control-mode client (`tmux -C attach -f ignore-size`) of a sandbox's existing
// session, over QProcess pipes: no PTY, no second shell, and the event loop never blocks.
// Commands are written one per line and answered in order (%begin … %end/%error); %output
// of the session's pane is decoded and emitted as raw bytes.
class TmuxControl : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TmuxControl)

public:
    struct Reply
    {
        bool ok = false;
        QList<QByteArray> lines;
    };
    using Done = std::function<void(const Reply &)>;

    // Unanswered commands and unwritten input beyond these mean tmux is stuck.
    static constexpr int MaxQueuedCommands = 256;
    static constexpr qint64 MaxUnwrittenBytes = 1024 * 1024;
    static constexpr qsizetype MaxLineBytes = 4 * 1024 * 1024;
    static constexpr std::chrono::milliseconds ExitGrace{2000};

    TmuxControl(QString program, QString session, QObject *parent = nullptr);
    ~TmuxControl() override;

    void start();
    bool isRunning() const;
    // Queues a command line (tmux command syntax, no newline). False when tmux is not keeping up.
    bool command(const QByteArray &line, Done done = {});
    bool isBusy() const;

    // Decodes the octal escapes of a %output line's data.
    static QByteArray decodeOutput(QByteArrayView escaped);
    // A tmux command-language single-quoted word.
    static QByteArray quote(const QString &text);

Q_SIGNALS:
    void output(const QByteArray &paneId, const QByteArray &bytes);
    void layoutChanged(int width, int height);
    void exited(const QString &reason);

private:
    void onReadyRead();
    void handleLine(const QByteArray &line);

    QString m_program;
    QString m_session;
    QProcess *m_process; // outlives this object until tmux has exited
    QByteArray m_buffer;
    QQueue<Done> m_pending;
    bool m_inBlock = false;
    bool m_blockOurs = false;
    QByteArray m_blockEnd; // "<time> <number> <flags>" of the open block
    Reply m_reply;
    bool m_exited = false;
};
