#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <QFileSystemWatcher>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QStringDecoder>

#include "http/HttpReply.h"

class QWebSocket;

// Follows sandboxes' log files for their readers, pushing every byte appended as soon as
// inotify reports the write (no polling): WebSocket clients (the dashboard's terminal) get
// the last 1000 lines first; HTTP followers (GET .../logs?follow=1, `claude-remote logs -f`)
// get a chunked answer that stays open.
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
    // Streams the log over a chunked HTTP answer: the last tailLines lines (the whole log
    // when nullopt), then what is appended, until the sandbox is deleted or the client leaves.
    void addFollower(const HttpReply &reply, const QString &sandboxId, const QString &logPath,
                     std::optional<int> tailLines);
    // The sandbox is gone: say so to its readers and close them.
    void closeSandbox(const QString &sandboxId, const QString &reason);
    int clientCount() const { return static_cast<int>(m_clients.size()); }

private:
    // One reader: where it is in the file, and how to reach it.
    struct Client
    {
        QPointer<QObject> connection; // the QWebSocket or QTcpSocket; gone means the reader left
        QString sandboxId;
        QString path;
        qint64 offset = 0;
        QStringDecoder decoder{QStringDecoder::Utf8};
        bool readScheduled = false;
        std::function<void(const QString &text)> send;
        std::function<qint64()> pending;
        std::function<void(const QString &reason)> close;
    };

    Client *add(QObject *connection, const QString &sandboxId, const QString &logPath);
    void watch(const QString &path);
    void onFileChanged(const QString &path);
    void pump(Client *client);
    void removeClient(QObject *connection);

    QFileSystemWatcher m_watcher;
    QHash<QObject *, Client *> m_clients;
};
