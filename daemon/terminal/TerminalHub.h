#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSize>
#include <QTimer>

#include "http/HttpReply.h"
#include "http/HttpRequest.h"
#include "steer/Actor.h"

class ControlLease;
class HttpServer;
class InputAudit;
class QWebSocket;
class SandboxManager;
class TerminalSession;
struct TerminalInput;

// The sandboxes' live terminals: the WebSocket stream /ws/sandboxes/{id}/terminal (the
// screen, then the pane's output; keys, paste and resize for the holder of the ControlLease),
// and GET .../screen, POST .../input, GET .../input-audit. Every input is audited.
class TerminalHub : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TerminalHub)

public:
    static constexpr qint64 MaxClientBacklog =
        1024 * 1024; // unsent bytes before a watcher is dropped
    static constexpr quint64 MaxIncomingMessage = 96 * 1024; // one paste of 64 KiB, JSON-escaped
    static constexpr qint64 MaxKeysMessage = 4096;           // bytes of one {"type":"data"}
    static constexpr qint64 InputBytesPerSecond = 64 * 1024; // per connection, beyond: refused
    static constexpr std::chrono::seconds SessionLinger{30}; // a control client with nobody left
    static constexpr std::chrono::milliseconds AuditQuiet{2000}; // typed keys end an audit entry
    static const QString Surface;                                // "terminal"

    struct Services
    {
        QString tmuxProgram;
        QString scratchDir;
        SandboxManager &sandboxes;
        ControlLease &lease;
        InputAudit &audit;
    };

    explicit TerminalHub(Services services, QObject *parent = nullptr);
    ~TerminalHub() override;

    void registerRoutes(HttpServer &server);
    void openStream(std::unique_ptr<QWebSocket> socket);
    int watcherCount() const { return static_cast<int>(m_watchers.size()); }

    static Actor actorOf(const HttpRequest &request);

private:
    // One WebSocket watching a sandbox's terminal.
    struct Watcher
    {
        QWebSocket *socket = nullptr;
        QString sandbox;
        Actor actor;
        bool synced = false; // has its screen: the output stream applies to it
        QElapsedTimer budgetWindow;
        qint64 budgetUsed = 0;
        // Keys typed since the last audit entry.
        qsizetype auditBytes = 0;
        QString auditLine;
        bool auditLineDone = false;
        QTimer auditTimer;
    };

    void getScreen(const HttpRequest &request, const HttpReply &reply);
    void postInput(const HttpRequest &request, const HttpReply &reply);
    void getAudit(const HttpRequest &request, const HttpReply &reply);

    TerminalSession *session(const QString &sandboxId);
    void endSession(const QString &sandboxId, const QString &reason);
    void lingerOrEnd(const QString &sandboxId);
    using SendDone = std::function<void(bool ok)>;
    bool send(TerminalSession *session, const TerminalInput &input, SendDone done);

    void onMessage(Watcher *watcher, const QString &message);
    void onBinary(Watcher *watcher, const QByteArray &bytes);
    void typeBytes(Watcher *watcher, const QByteArray &bytes);
    void sync(Watcher *watcher);
    void sendControl(Watcher *watcher);
    void sendError(Watcher *watcher, const QString &code, const QString &message);
    void sendJson(Watcher *watcher, const QJsonObject &object);
    bool withinBudget(Watcher *watcher, qint64 bytes);
    void flushAudit(Watcher *watcher);
    void removeWatcher(QWebSocket *socket);
    QList<Watcher *> watchersOf(const QString &sandboxId) const;

    Services m_services;
    QHash<QString, TerminalSession *> m_sessions;
    QHash<QString, QTimer *> m_lingerTimers;
    QHash<QWebSocket *, Watcher *> m_watchers;
};
