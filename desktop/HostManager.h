#pragma once

#include <memory>
#include <vector>

#include <QObject>

#include "HostConnection.h"
#include "HostSettings.h"

class QNetworkAccessManager;

// The set of watched hosts by name, each a HostConnection; relays their changes.
class HostManager : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HostManager)

public:
    explicit HostManager(QNetworkAccessManager &network, QObject *parent = nullptr);
    ~HostManager() override;

    HostConnection *addHost(const HostSettings &settings);
    void removeHost(const QString &name);
    // Replaces a host's settings (possibly renaming it) and connects again.
    HostConnection *replaceHost(const QString &name, const HostSettings &settings);
    HostConnection *connection(const QString &name) const;
    QList<HostConnection *> connections() const;
    QStringList names() const;
    QNetworkAccessManager &network() { return m_network; }

Q_SIGNALS:
    void hostAdded(const QString &name);
    void hostRemoved(const QString &name);
    void hostStateChanged(const QString &name);
    void sandboxesUpdated(const QString &name, const QList<Sandbox> &sandboxes);
    void backendsUpdated(const QString &name);

private:
    QNetworkAccessManager &m_network;
    std::vector<std::unique_ptr<HostConnection>> m_hosts;
};
