#pragma once

#include <memory>

#include <QFileSystemWatcher>
#include <QHash>
#include <QObject>
#include <QStringDecoder>

class QWebSocket;

// Follows sandboxes' log files for WebSocket clients: the last 1000 lines first, then every
// byte appended, pushed when inotify reports the write (no polling).
class LogStreamHub : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogStreamHub)

public:
    static constexpr int BacklogLines = 1000;
    static constexpr qint64 ReadChunk = 256 * 1024;
    static constexpr qint64 MaxClientBacklog = 8 * 1024 * 1024; // unsent bytes before we give up
    static constexpr quint64 MaxIncomingMessage = 4096;

    explicit LogStreamHub(QObject *parent = nullptr);
    ~LogStreamHub() override;

    void addClient(std::unique_ptr<QWebSocket> socket, const QString &sandboxId,
                   const QString &logPath);
    // The sandbox is gone: say so to its clients and close them.
    void closeSandbox(const QString &sandboxId, const QString &reason);
    int clientCount() const { return static_cast<int>(m_clients.size()); }

private:
    struct Client
    {
        QWebSocket *socket = nullptr;
        QString sandboxId;
        QString path;
        qint64 offset = 0;
        QStringDecoder decoder{QStringDecoder::Utf8};
        bool readScheduled = false;
    };

    void onFileChanged(const QString &path);
    void pump(Client *client);
    void removeClient(QWebSocket *socket);

    QFileSystemWatcher m_watcher;
    QHash<QWebSocket *, Client *> m_clients;
};
