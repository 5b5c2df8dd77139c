#include "HostManager.h"

HostManager::HostManager(QNetworkAccessManager &network, QObject *parent)
    : QObject(parent), m_network(network)
{}

HostManager::~HostManager() = default;

HostConnection *HostManager::addHost(const HostSettings &settings)
{
    if (connection(settings.name))
        return nullptr;
    auto host = std::make_unique<HostConnection>(settings, m_network);
    HostConnection *raw = host.get();
    const QString name = settings.name;
    connect(raw, &HostConnection::stateChanged, this,
            [this, name] { Q_EMIT hostStateChanged(name); });
    connect(raw, &HostConnection::sandboxesUpdated, this,
            [this, name](const QList<Sandbox> &sandboxes) {
                Q_EMIT sandboxesUpdated(name, sandboxes);
            });
    connect(raw, &HostConnection::backendsUpdated, this,
            [this, name] { Q_EMIT backendsUpdated(name); });
    m_hosts.push_back(std::move(host));
    Q_EMIT hostAdded(name);
    raw->start();
    return raw;
}

void HostManager::removeHost(const QString &name)
{
    const auto it = std::find_if(m_hosts.begin(), m_hosts.end(),
                                 [&](const auto &host) { return host->name() == name; });
    if (it == m_hosts.end())
        return;
    std::unique_ptr<HostConnection> host = std::move(*it);
    m_hosts.erase(it);
    host->disconnect(this);
    host->stop();
    Q_EMIT hostRemoved(name);
    host.release()->deleteLater();
}

HostConnection *HostManager::replaceHost(const QString &name, const HostSettings &settings)
{
    removeHost(name);
    return addHost(settings);
}

HostConnection *HostManager::connection(const QString &name) const
{
    for (const auto &host : m_hosts) {
        if (host->name() == name)
            return host.get();
    }
    return nullptr;
}

QList<HostConnection *> HostManager::connections() const
{
    QList<HostConnection *> list;
    for (const auto &host : m_hosts)
        list.append(host.get());
    return list;
}

QStringList HostManager::names() const
{
    QStringList list;
    for (const auto &host : m_hosts)
        list.append(host->name());
    return list;
}
