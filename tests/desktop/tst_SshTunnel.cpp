#include <signal.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include "DaemonProcess.h"
#include "HostConnection.h"
#include "HostManager.h"
#include "HostStore.h"
#include "MainWindow.h"
#include "SandboxActions.h"
#include "SandboxFilterModel.h"
#include "SshServer.h"
#include "SshTunnel.h"
#include "TestHttp.h"
#include "ViewerApp.h"
#include "sys/ProcessInfo.h"

using namespace std::chrono_literals;

// The viewer's own SSH tunnel through a real sshd on a loopback port with a throwaway key.
class tst_SshTunnel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void argumentsPutTheTunnelsOptionsFirst();
    void connectsAndCarriesTheGrid();
    void forwardsToTheDaemonsUnixSocket();
    void viewerEndsItsTunnelOnSigterm();
    void reconnectsAfterSshdComesBack();
    void refusedKeyIsAuthFailed();
    void closedSshPortIsUnreachable();
    void missingDaemonBehindTheTunnel();

private:
    static QString joined(const QStringList &options);
    static void createSandbox(DaemonProcess &daemon, const QString &name);
};

QString tst_SshTunnel::joined(const QStringList &options)
{
    QStringList quoted;
    for (const QString &option : options)
        quoted.append(SandboxActions::shellQuote(option));
    return quoted.join(u' ');
}

void tst_SshTunnel::createSandbox(DaemonProcess &daemon, const QString &name)
{
    TestHttp http;
    const HttpResult created =
        http.createSandbox(daemon.url(), name, QStringLiteral("stub"), daemon.projectDir());
    QCOMPARE(created.status, 201);
}

void tst_SshTunnel::initTestCase()
{
    if (!QFile::exists(SshServer::sshdPath()))
        QFAIL("no sshd: install openssh-server");
}

void tst_SshTunnel::argumentsPutTheTunnelsOptionsFirst()
{
    SshTunnel tunnel({QStringLiteral("dev@build"),
                      {QStringLiteral("-p"), QStringLiteral("2222")},
                      3000,
                      QStringLiteral("ssh"),
                      {}});
    const QStringList args = tunnel.arguments(40001);
    // ssh keeps the first value of an option: ours must come before the user's.
    QCOMPARE(args.mid(0, 7),
             (QStringList{QStringLiteral("-N"), QStringLiteral("-o"),
                          QStringLiteral("ExitOnForwardFailure=yes"), QStringLiteral("-o"),
                          QStringLiteral("BatchMode=yes"), QStringLiteral("-L"),
                          QStringLiteral("127.0.0.1:40001:127.0.0.1:3000")}));
    QVERIFY(args.indexOf(QStringLiteral("2222")) > 6);
    QVERIFY(args.contains(QStringLiteral("ServerAliveInterval=15")));
    QCOMPARE(args.mid(args.size() - 2),
             (QStringList{QStringLiteral("--"), QStringLiteral("dev@build")}));

    // A daemon on a Unix socket: the same forward, to the socket's path.
    SshTunnel toSocket({QStringLiteral("dev@build"),
                        {},
                        3000,
                        QStringLiteral("ssh"),
                        QStringLiteral("/run/claude-manager/http.sock")});
    const QStringList socketArgs = toSocket.arguments(40002);
    QCOMPARE(socketArgs.at(socketArgs.indexOf(QStringLiteral("-L")) + 1),
             QStringLiteral("127.0.0.1:40002:/run/claude-manager/http.sock"));
}

void tst_SshTunnel::forwardsToTheDaemonsUnixSocket()
{
    DaemonProcess daemon;
    DaemonProcess::Options options;
    const QString socket = daemon.workDir() + QStringLiteral("/http.sock");
    options.environment.insert(QStringLiteral("MANAGER_LISTEN"), QStringLiteral("unix:") + socket);
    QVERIFY(daemon.start(options));
    SshServer sshd;
    QString error;
    QVERIFY2(sshd.start(&error), qPrintable(error));

    QNetworkAccessManager network;
    HostSettings settings{QStringLiteral("socket-host"),
                          sshd.destination(),
                          joined(sshd.clientOptions()),
                          3000,
                          {},
                          {},
                          socket};
    QVERIFY2(settings.validationError().isEmpty(), qPrintable(settings.validationError()));
    HostConnection host(settings, network);
    host.start();
    QTRY_COMPARE_WITH_TIMEOUT(host.tunnel()->state(), SshTunnel::State::Connected, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(host.state(), HostConnection::State::Connected, 15000);
    // A sandbox created through the tunnel lands in the daemon behind the socket.
    std::optional<ApiResult<Sandbox>> created;
    host.api().createSandbox(
        {QStringLiteral("via-socket"), QStringLiteral("stub"), daemon.projectDir(), true}, &host,
        [&](ApiResult<Sandbox> result) { created.emplace(result); });
    QTRY_VERIFY_WITH_TIMEOUT(created.has_value(), 15000);
    QVERIFY2(*created, qPrintable(created->has_value() ? QString() : created->error().toString()));
    QCOMPARE((*created)->name, QStringLiteral("via-socket"));
}

void tst_SshTunnel::connectsAndCarriesTheGrid()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    createSandbox(daemon, QStringLiteral("through-ssh-1"));
    createSandbox(daemon, QStringLiteral("through-ssh-2"));
    SshServer sshd;
    QString error;
    QVERIFY2(sshd.start(&error), qPrintable(error));

    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("viewer.ini")), QSettings::IniFormat);
    HostStore(settings).setHosts({HostSettings{QStringLiteral("remote"),
                                               sshd.destination(),
                                               joined(sshd.clientOptions()),
                                               daemon.port(),
                                               {},
                                               {},
                                               {}}});
    ViewerApp viewer(settings, {QStringLiteral("remote"), {}, {}, false});
    QVERIFY(viewer.start());
    viewer.window().show();
    HostConnection *host = viewer.hosts().connection(QStringLiteral("remote"));
    QVERIFY(host && host->tunnel());
    QTRY_COMPARE_WITH_TIMEOUT(host->tunnel()->state(), SshTunnel::State::Connected, 30000);
    QVERIFY(host->tunnel()->localPort() != daemon.port());
    QTRY_COMPARE_WITH_TIMEOUT(host->state(), HostConnection::State::Connected, 15000);
    // The grid fills through the tunnel.
    QTRY_COMPARE_WITH_TIMEOUT(viewer.window().filterModel()->rowCount(), 2, 15000);
    QVERIFY(host->api().baseUrl().port() == host->tunnel()->localPort());
    QVERIFY(sshd.log().contains(QLatin1StringView("Accepted publickey")));
}

void tst_SshTunnel::viewerEndsItsTunnelOnSigterm()
{
    // The viewer binary with one saved host behind a real sshd: SIGTERM (a logout, a kill)
    // must end its ssh tunnel with it, not leave it holding the local port.
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    SshServer sshd;
    QString error;
    QVERIFY2(sshd.start(&error), qPrintable(error));
    QTemporaryDir config;
    {
        QSettings settings(
            config.filePath(QStringLiteral("claude-sandbox-manager/claude-remote-viewer.conf")),
            QSettings::IniFormat);
        HostStore(settings).setHosts({HostSettings{QStringLiteral("remote"),
                                                   sshd.destination(),
                                                   joined(sshd.clientOptions()),
                                                   daemon.port(),
                                                   {},
                                                   {},
                                                   {}}});
    }
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), config.path());
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), config.path());
    QProcess viewer;
    viewer.setProcessEnvironment(env);
    viewer.setProcessChannelMode(QProcess::MergedChannels);
    viewer.start(QStringLiteral(CSM_VIEWER_PATH),
                 {QStringLiteral("--host"), QStringLiteral("remote"), QStringLiteral("--no-tray")});
    QVERIFY(viewer.waitForStarted());
    QList<qint64> tunnels;
    // The viewer's ssh: the only one that uses this test's throwaway key.
    QTRY_VERIFY_WITH_TIMEOUT(
        !(tunnels = ProcessInfo::findByArgumentPrefix(QStringLiteral("ssh"), sshd.userKey()))
             .isEmpty(),
        20000);
    // Connected: sshd accepted the key, so the tunnel is a live session.
    QTRY_VERIFY_WITH_TIMEOUT(sshd.log().contains(QLatin1StringView("Accepted publickey")), 20000);

    ::kill(static_cast<pid_t>(viewer.processId()), SIGTERM);
    QVERIFY2(viewer.waitForFinished(10000), viewer.readAll().constData());
    QCOMPARE(viewer.exitStatus(), QProcess::NormalExit);
    QCOMPARE(viewer.exitCode(), 0);
    for (const qint64 pid : std::as_const(tunnels))
        QTRY_VERIFY_WITH_TIMEOUT(::kill(static_cast<pid_t>(pid), 0) != 0, 5000);
}

void tst_SshTunnel::reconnectsAfterSshdComesBack()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    createSandbox(daemon, QStringLiteral("survivor"));
    SshServer sshd;
    QString error;
    QVERIFY2(sshd.start(&error), qPrintable(error));
    QNetworkAccessManager network;
    HostConnection host(HostSettings{QStringLiteral("remote"),
                                     sshd.destination(),
                                     joined(sshd.clientOptions()),
                                     daemon.port(),
                                     {},
                                     {},
                                     {}},
                        network);
    host.tunnel()->setBackoff(200ms, 2s);
    QSignalSpy states(host.tunnel(), &SshTunnel::stateChanged);
    host.start();
    QTRY_COMPARE_WITH_TIMEOUT(host.state(), HostConnection::State::Connected, 30000);
    QCOMPARE(host.sandboxes().size(), 1);
    const quint16 sshPort = sshd.port();

    sshd.kill();
    QTRY_VERIFY_WITH_TIMEOUT(!host.tunnel()->isConnected(), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(host.state() == HostConnection::State::Unreachable, 15000);
    QVERIFY(!host.tunnel()->errorText().isEmpty());
    bool sawReconnecting = false;
    for (const auto &args : states)
        sawReconnecting |= args.at(0).value<SshTunnel::State>() == SshTunnel::State::Reconnecting;
    QVERIFY(sawReconnecting);
    // While it is down, attempts fail with ssh's own words.
    QTRY_VERIFY_WITH_TIMEOUT(
        host.tunnel()->errorText().contains(QLatin1StringView("Connection refused")), 15000);

    QVERIFY(sshd.restart());
    QCOMPARE(sshd.port(), sshPort);
    QTRY_COMPARE_WITH_TIMEOUT(host.tunnel()->state(), SshTunnel::State::Connected, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(host.state(), HostConnection::State::Connected, 15000);
    createSandbox(daemon, QStringLiteral("after-restart"));
    QTRY_COMPARE_WITH_TIMEOUT(host.sandboxes().size(), 2, 15000);
}

void tst_SshTunnel::refusedKeyIsAuthFailed()
{
    SshServer sshd;
    QString error;
    QVERIFY2(sshd.start(&error), qPrintable(error));
    QNetworkAccessManager network;
    HostConnection host(HostSettings{QStringLiteral("remote"),
                                     sshd.destination(),
                                     joined(sshd.clientOptions(sshd.makeUnauthorizedKey())),
                                     3000,
                                     {},
                                     {},
                                     {}},
                        network);
    host.start();
    QTRY_COMPARE_WITH_TIMEOUT(host.tunnel()->state(), SshTunnel::State::AuthFailed, 30000);
    QCOMPARE(host.state(), HostConnection::State::AuthFailed);
    QVERIFY2(host.stateText().contains(QLatin1StringView("Permission denied")),
             qPrintable(host.stateText()));
    QVERIFY(host.summary().startsWith(QLatin1StringView("authentication failed: ")));
    QVERIFY(sshd.log().contains(QLatin1StringView("Connection closed by authenticating user")) ||
            sshd.log().contains(QLatin1StringView("Failed publickey")) ||
            sshd.log().contains(QLatin1StringView("Connection closed")));
}

void tst_SshTunnel::closedSshPortIsUnreachable()
{
    SshServer sshd; // only for its keys and port; not started
    QNetworkAccessManager network;
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const quint16 port = closed.serverPort();
    closed.close();
    QStringList options = sshd.clientOptions();
    options[options.indexOf(QStringLiteral("-p")) + 1] = QString::number(port);
    HostConnection host(
        HostSettings{
            QStringLiteral("remote"), sshd.destination(), joined(options), 3000, {}, {}, {}},
        network);
    host.start();
    QTRY_COMPARE_WITH_TIMEOUT(host.state(), HostConnection::State::Unreachable, 30000);
    QCOMPARE(host.tunnel()->state(), SshTunnel::State::Unreachable);
    QVERIFY2(host.stateText().contains(QLatin1StringView("Connection refused")),
             qPrintable(host.stateText()));
}

void tst_SshTunnel::missingDaemonBehindTheTunnel()
{
    SshServer sshd;
    QString error;
    QVERIFY2(sshd.start(&error), qPrintable(error));
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const quint16 nothing = closed.serverPort();
    closed.close();
    QNetworkAccessManager network;
    HostConnection host(HostSettings{QStringLiteral("remote"),
                                     sshd.destination(),
                                     joined(sshd.clientOptions()),
                                     nothing,
                                     {},
                                     {},
                                     {}},
                        network);
    host.start();
    QTRY_COMPARE_WITH_TIMEOUT(host.tunnel()->state(), SshTunnel::State::Connected, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(host.state(), HostConnection::State::DaemonNotRunning, 15000);
    QVERIFY2(host.stateText().contains(QLatin1StringView("open failed")) ||
                 host.stateText().contains(QString::number(nothing)),
             qPrintable(host.stateText()));
}

QTEST_MAIN(tst_SshTunnel)
#include "tst_SshTunnel.moc"
