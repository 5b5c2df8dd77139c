#include <signal.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>

#include "AppIcon.h"
#include "MainWindow.h"
#include "ViewerApp.h"
#include "shared/UnixSignalWatcher.h"

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("claude-remote-viewer"));
    QApplication::setOrganizationName(QStringLiteral("claude-sandbox-manager"));
    QApplication::setApplicationVersion(QStringLiteral(CSM_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("claude-remote-viewer"));
    QApplication::setWindowIcon(AppIcon::icon());
    // Closing the grid quits, tray or not: a viewer left running unseen would keep polling.
    QApplication::setQuitOnLastWindowClosed(true);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "A live thumbnail grid of every sandbox on every claude-sandbox-manager host.\n"
        "Hosts are reached through SSH tunnels the viewer opens itself; add them in the "
        "window (they are saved), or give one with --host or --url."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption host(QStringLiteral("host"),
                                  QStringLiteral("Open with only the saved host <name>."),
                                  QStringLiteral("name"));
    const QCommandLineOption url(
        QStringLiteral("url"),
        QStringLiteral("Watch the daemon at <url> directly, without SSH (not saved)."),
        QStringLiteral("url"));
    const QCommandLineOption noTray(QStringLiteral("no-tray"),
                                    QStringLiteral("Do not show a system tray icon."));
    parser.addOptions({host, url, noTray});
    parser.process(app);

    ViewerApp::Options options;
    options.host = parser.value(host);
    if (parser.isSet(url)) {
        options.url = QUrl::fromUserInput(parser.value(url));
        if (!options.url.isValid()) {
            qCritical().noquote() << "claude-remote-viewer: --url" << parser.value(url)
                                  << "is not a URL";
            return 2;
        }
    }
    options.token = qEnvironmentVariable("CLAUDE_REMOTE_TOKEN");
    options.tray = !parser.isSet(noTray);

    // A logout or `kill` ends the viewer like closing its window does, so that its ssh
    // tunnels end with it instead of holding their local ports as orphans.
    UnixSignalWatcher signalWatcher({SIGTERM, SIGINT, SIGHUP});
    QObject::connect(&signalWatcher, &UnixSignalWatcher::received, &app,
                     [] { QCoreApplication::quit(); });

    QSettings settings;
    ViewerApp viewer(settings, options);
    const auto started = viewer.start();
    if (!started) {
        qCritical().noquote() << "claude-remote-viewer:" << started.error();
        return 2;
    }
    viewer.window().show();
    return app.exec();
}
