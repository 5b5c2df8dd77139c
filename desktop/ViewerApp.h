#pragma once

#include <memory>

#include <QNetworkAccessManager>
#include <QObject>
#include <QUrl>

#include "shared/Expected.h"

class HostManager;
class HostStore;
class MainWindow;
class QSettings;
class SandboxListModel;
class ThumbnailCache;
class TrayNotifier;

// Builds the viewer and wires its parts: hosts, model, thumbnails, window, tray.
class ViewerApp : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ViewerApp)

public:
    struct Options
    {
        QString host; // only this saved host
        QUrl url;     // a daemon reachable directly, not saved
        QString token;
        bool tray = true;
    };

    ViewerApp(QSettings &settings, Options options, QObject *parent = nullptr);
    ~ViewerApp() override;

    // Adds the hosts the options ask for; an error names what is wrong with them.
    Expected<bool, QString> start();

    MainWindow &window() { return *m_window; }
    HostManager &hosts() { return *m_hosts; }
    SandboxListModel &model() { return *m_model; }
    ThumbnailCache &thumbnails() { return *m_thumbnails; }
    TrayNotifier &tray() { return *m_tray; }
    HostStore &store() { return *m_store; }
    QNetworkAccessManager &network() { return m_network; }

    static QString hostNameFor(const QUrl &url);

private:
    Options m_options;
    QNetworkAccessManager m_network;
    std::unique_ptr<HostStore> m_store;
    std::unique_ptr<HostManager> m_hosts;
    std::unique_ptr<SandboxListModel> m_model;
    std::unique_ptr<ThumbnailCache> m_thumbnails;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<TrayNotifier> m_tray;
};
