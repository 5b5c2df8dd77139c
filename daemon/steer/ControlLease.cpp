#include "steer/ControlLease.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSteer, "manager.steer")

QJsonObject ControlLease::Holder::toJson() const
{
    return {{QStringLiteral("actor"), actor.toJson()},
            {QStringLiteral("since"), since.toUTC().toString(Qt::ISODateWithMs)}};
}

ControlLease::ControlLease(std::chrono::seconds idleTimeout, QObject *parent)
    : QObject(parent), m_idleTimeout(idleTimeout)
{}

ControlLease::~ControlLease()
{
    for (Entry &entry : m_entries)
        delete entry.timer;
}

Expected<void, QString> ControlLease::take(const QString &sandbox, const QString &surface,
                                           const Actor &actor, const void *owner, bool force)
{
    const Key key{sandbox, surface};
    auto it = m_entries.find(key);
    if (it != m_entries.end()) {
        if (it->owner == owner) {
            it->idle.restart();
            return {};
        }
        if (!force)
            return QStringLiteral("%1 holds control of the %2 since %3")
                .arg(it->holder.actor.description, surface,
                     it->holder.since.toUTC().toString(Qt::ISODate));
        qCInfo(lcSteer) << "sandbox" << sandbox << surface << "taken over by" << actor.description
                        << "from" << it->holder.actor.description;
        drop(key);
    }
    Entry entry;
    entry.holder = Holder{actor, QDateTime::currentDateTimeUtc()};
    entry.owner = owner;
    entry.idle.start();
    entry.timer = new QTimer;
    entry.timer->setSingleShot(true);
    entry.timer->setInterval(m_idleTimeout);
    connect(entry.timer, &QTimer::timeout, this, [this, key] { expire(key); });
    entry.timer->start();
    m_entries.insert(key, entry);
    qCInfo(lcSteer) << "sandbox" << sandbox << surface << "controlled by" << actor.description;
    Q_EMIT changed(sandbox, surface);
    return {};
}

void ControlLease::drop(const Key &key)
{
    auto it = m_entries.find(key);
    if (it == m_entries.end())
        return;
    it->timer->deleteLater();
    m_entries.erase(it);
}

void ControlLease::release(const QString &sandbox, const QString &surface, const void *owner)
{
    const Key key{sandbox, surface};
    const auto it = m_entries.constFind(key);
    if (it == m_entries.cend() || it->owner != owner)
        return;
    qCInfo(lcSteer) << "sandbox" << sandbox << surface << "released by"
                    << it->holder.actor.description;
    drop(key);
    Q_EMIT changed(sandbox, surface);
}

void ControlLease::releaseAll(const void *owner)
{
    QList<Key> keys;
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        if (it->owner == owner)
            keys.append(it.key());
    }
    for (const Key &key : std::as_const(keys))
        release(key.first, key.second, owner);
}

void ControlLease::releaseSandbox(const QString &sandbox)
{
    QList<Key> keys;
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        if (it.key().first == sandbox)
            keys.append(it.key());
    }
    for (const Key &key : std::as_const(keys)) {
        drop(key);
        Q_EMIT changed(key.first, key.second);
    }
}

void ControlLease::touch(const QString &sandbox, const QString &surface, const void *owner)
{
    const auto it = m_entries.find(Key{sandbox, surface});
    if (it != m_entries.end() && it->owner == owner)
        it->idle.restart(); // the timer looks at this when it fires: no restart per keystroke
}

bool ControlLease::holds(const QString &sandbox, const QString &surface, const void *owner) const
{
    const auto it = m_entries.constFind(Key{sandbox, surface});
    return it != m_entries.cend() && it->owner == owner;
}

std::optional<ControlLease::Holder> ControlLease::holder(const QString &sandbox,
                                                         const QString &surface) const
{
    const auto it = m_entries.constFind(Key{sandbox, surface});
    if (it == m_entries.cend())
        return std::nullopt;
    return it->holder;
}

void ControlLease::expire(const Key &key)
{
    const auto it = m_entries.find(key);
    if (it == m_entries.end())
        return;
    const auto idleFor = std::chrono::milliseconds(it->idle.elapsed());
    if (idleFor < m_idleTimeout) {
        it->timer->start(std::chrono::duration_cast<std::chrono::milliseconds>(m_idleTimeout) -
                         idleFor);
        return;
    }
    qCInfo(lcSteer) << "sandbox" << key.first << key.second << "released: holder"
                    << it->holder.actor.description << "idle for" << m_idleTimeout.count() << "s";
    drop(key);
    Q_EMIT changed(key.first, key.second);
}
