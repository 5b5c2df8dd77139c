#include "ViewerApp.h"

#include <QApplication>

#include "HostManager.h"
#include "HostStore.h"
#include "MainWindow.h"
#include "SandboxListModel.h"
#include "ThumbnailCache.h"
#include "TrayNotifier.h"

ViewerApp::ViewerApp(QSettings &settings, Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_store(std::make_unique<HostStore>(settings))
    , m_hosts(std::make_unique<HostManager>(m_network))
    , m_model(std::make_unique<SandboxListModel>())
    , m_thumbnails(std::make_unique<ThumbnailCache>(*m_hosts))
{
    m_window = std::make_unique<MainWindow>(*m_model, *m_hosts, *m_thumbnails, *m_store);
    m_tray = std::make_unique<TrayNotifier>(*m_model);

    const auto hostState = [this](const QString &name) {
        if (HostConnection *host = m_hosts->connection(name))
            m_model->setHostState(name, host->isUp(), host->summary());
    };
    connect(m_hosts.get(), &HostManager::hostAdded, this, hostState);
    connect(m_hosts.get(), &HostManager::hostStateChanged, this, hostState);
    connect(m_hosts.get(), &HostManager::sandboxesUpdated, m_model.get(),
            &SandboxListModel::updateHost);
    connect(m_hosts.get(), &HostManager::hostRemoved, this, [this](const QString &name) {
        m_model->removeHost(name);
        m_thumbnails->forgetHost(name);
    });
    connect(m_model.get(), &QAbstractItemModel::rowsAboutToBeRemoved, this,
            [this](const QModelIndex &, int first, int last) {
                for (int row = first; row <= last; ++row)
                    m_thumbnails->forget(m_model->keyAt(row));
            });
    connect(m_tray.get(), &TrayNotifier::activated, this, [this] {
        m_window->showNormal();
        m_window->raise();
        m_window->activateWindow();
    });
    connect(m_tray.get(), &TrayNotifier::quitRequested, qApp, &QCoreApplication::quit);
}

ViewerApp::~ViewerApp()
{
    // The window and the thumbnails hold references to the hosts and the model.
    m_tray.reset();
    m_window.reset();
    m_thumbnails.reset();
    m_hosts.reset();
}

QString ViewerApp::hostNameFor(const QUrl &url)
{
    return url.port() > 0 ? QStringLiteral("%1:%2").arg(url.host()).arg(url.port()) : url.host();
}

Expected<bool, QString> ViewerApp::start()
{
    if (m_options.url.isValid() && !m_options.url.isEmpty()) {
        HostSettings direct;
        direct.name = hostNameFor(m_options.url);
        direct.directUrl = m_options.url;
        direct.token = m_options.token;
        if (const QString error = direct.validationError(); !error.isEmpty())
            return QStringLiteral("--url %1: %2").arg(m_options.url.toString(), error);
        m_window->markTransient(direct.name);
        m_hosts->addHost(direct);
    }
    if (!m_options.host.isEmpty()) {
        const auto saved = m_store->host(m_options.host);
        if (!saved) {
            QStringList names;
            for (const HostSettings &host : m_store->hosts())
                names.append(host.name);
            return QStringLiteral("no saved host named %1 (saved: %2)")
                .arg(m_options.host,
                     names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", ")));
        }
        m_hosts->addHost(*saved);
    }
    if (m_options.host.isEmpty() && m_options.url.isEmpty()) {
        for (const HostSettings &host : m_store->hosts())
            m_hosts->addHost(host);
    }
    m_tray->setTrayVisible(m_options.tray);
    return true;
}
