#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QThread>
#include <QTimer>

#include "shared/Expected.h"
#include "shared/ManagerState.h"

class StateWriter;

// state.json on disk: loaded once at startup, then written atomically and durably on a
// writer thread after every change, keeping the previous good copy as state.json.prev.
class StateStore : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StateStore)

public:
    static constexpr std::chrono::milliseconds RetryInterval{5000};
    using Saved = std::function<void(const std::optional<QString> &error)>;

    struct Loaded
    {
        ManagerState state;
        QStringList warnings; // what was wrong with the files and what was done about it
    };

    // Never overwrites or deletes a state file that does not parse: it is moved aside.
    static Expected<Loaded, QString> load(const QString &stateDir);

    explicit StateStore(QString stateDir, QObject *parent = nullptr);
    ~StateStore() override;

    // Queues a snapshot; done (if given) learns whether it, or a later one, reached the disk.
    void save(const ManagerState &state, QObject *context = nullptr, Saved done = {});
    bool isDirty() const { return m_failedVersion > m_savedVersion; }
    QString lastError() const { return m_lastError; }

    static QString statePath(const QString &stateDir);

Q_SIGNALS:
    void writeRequested(quint64 version, const QByteArray &json);

private:
    void onWritten(quint64 version, const QString &error);
    void writeNext();

    struct Waiter
    {
        quint64 version;
        QPointer<QObject> context;
        bool hasContext;
        Saved done;
    };

    QString m_stateDir;
    QThread m_thread;
    StateWriter *m_writer = nullptr;
    QTimer m_retry;
    QByteArray m_pendingJson;
    quint64 m_version = 0;
    quint64 m_pendingVersion = 0;
    quint64 m_savedVersion = 0;
    quint64 m_failedVersion = 0;
    bool m_writing = false;
    QString m_lastError;
    QList<Waiter> m_waiters;
};
