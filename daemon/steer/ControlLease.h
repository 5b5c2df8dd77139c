#pragma once

#include <chrono>
#include <optional>

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QTimer>

#include "shared/Expected.h"
#include "steer/Actor.h"

// Who may type into a sandbox's terminal or drive its display: one holder per (sandbox,
// surface), surface "terminal" or "display". The holder is identified by an owner pointer
// (its connection); an idle holder is released after the idle timeout.
class ControlLease : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ControlLease)

public:
    static constexpr std::chrono::seconds DefaultIdleTimeout{300};

    struct Holder
    {
        Actor actor;
        QDateTime since;

        QJsonObject toJson() const; // {actor, since}
    };

    explicit ControlLease(std::chrono::seconds idleTimeout = DefaultIdleTimeout,
                          QObject *parent = nullptr);
    ~ControlLease() override;

    // Takes control; fails naming the holder when another owner holds it, unless force.
    Expected<void, QString> take(const QString &sandbox, const QString &surface, const Actor &actor,
                                 const void *owner, bool force = false);
    void release(const QString &sandbox, const QString &surface, const void *owner);
    void releaseAll(const void *owner); // the owner's connection closed
    // The sandbox is gone: nobody holds any of its surfaces.
    void releaseSandbox(const QString &sandbox);
    // The holder did something: its idle time starts again.
    void touch(const QString &sandbox, const QString &surface, const void *owner);
    bool holds(const QString &sandbox, const QString &surface, const void *owner) const;
    std::optional<Holder> holder(const QString &sandbox, const QString &surface) const;

    std::chrono::seconds idleTimeout() const { return m_idleTimeout; }

Q_SIGNALS:
    void changed(const QString &sandbox, const QString &surface);

private:
    struct Entry
    {
        Holder holder;
        const void *owner = nullptr;
        QElapsedTimer idle;
        QTimer *timer = nullptr;
    };
    using Key = QPair<QString, QString>;

    void expire(const Key &key);
    void drop(const Key &key);

    std::chrono::seconds m_idleTimeout;
    QHash<Key, Entry> m_entries;
};
