#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include "DaemonProcess.h"
#include "TestHttp.h"
#include "TileDelegate.h"
#include "shared/Sandbox.h"

// The viewer binary as a user starts it: its command line, and its main window on a real X
// server (Xvfb, the xcb platform) with a few sandboxes, kept as a screenshot artifact.
class tst_ViewerScreenshot : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void versionAndHelp();
    void unknownSavedHostIsAnError();
    void mainWindowUnderXvfb();

private:
    static QString viewerPath() { return QStringLiteral(CSM_VIEWER_PATH); }
    static QString artifactsDir();
};

QString tst_ViewerScreenshot::artifactsDir()
{
    const QString fromEnv = qEnvironmentVariable("CSM_ARTIFACTS_DIR");
    return (fromEnv.isEmpty() ? QStringLiteral(CSM_BUILD_DIR "/test-artifacts") : fromEnv) +
           QStringLiteral("/viewer");
}

void tst_ViewerScreenshot::versionAndHelp()
{
    QProcess viewer;
    viewer.start(viewerPath(), {QStringLiteral("--version")});
    QVERIFY(viewer.waitForFinished(20000));
    QCOMPARE(viewer.exitCode(), 0);
    QCOMPARE(viewer.readAllStandardOutput().trimmed(),
             QByteArray("claude-remote-viewer " CSM_VERSION));

    viewer.start(viewerPath(), {QStringLiteral("--help")});
    QVERIFY(viewer.waitForFinished(20000));
    QCOMPARE(viewer.exitCode(), 0);
    const QByteArray help = viewer.readAllStandardOutput();
    for (const char *option : {"--host <name>", "--url <url>", "--version", "--help"})
        QVERIFY2(help.contains(option), help.constData());
}

void tst_ViewerScreenshot::unknownSavedHostIsAnError()
{
    QTemporaryDir config;
    QProcess viewer;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), config.path());
    viewer.setProcessEnvironment(env);
    viewer.start(viewerPath(), {QStringLiteral("--host"), QStringLiteral("nosuch")});
    QVERIFY(viewer.waitForFinished(20000));
    QCOMPARE(viewer.exitCode(), 2);
    QVERIFY(viewer.readAllStandardError().contains("no saved host named nosuch"));
}

namespace {

// An Xvfb with access control on: a cookie in the server's -auth file, and the same cookie
// for the display it picked (-displayfd) in the clients' XAUTHORITY file.
struct Xvfb
{
    QTemporaryDir dir;
    QProcess process;
    int display = -1;
    QString clientAuth;

    bool start(const QSize &size)
    {
        const QString cookie =
            QString::number(QRandomGenerator::system()->generate64(), 16).rightJustified(16, u'0') +
            QString::number(QRandomGenerator::system()->generate64(), 16).rightJustified(16, u'0');
        const QString serverAuth = dir.filePath(QStringLiteral("server.xauth"));
        clientAuth = dir.filePath(QStringLiteral("client.xauth"));
        QProcess xauth;
        xauth.start(QStringLiteral("xauth"),
                    {QStringLiteral("-f"), serverAuth, QStringLiteral("add"), QStringLiteral(":0"),
                     QStringLiteral("."), cookie});
        if (!xauth.waitForFinished(10000) || xauth.exitCode() != 0)
            return false;
        process.start(QStringLiteral("Xvfb"),
                      {QStringLiteral("-displayfd"), QStringLiteral("1"), QStringLiteral("-screen"),
                       QStringLiteral("0"),
                       QStringLiteral("%1x%2x24").arg(size.width()).arg(size.height()),
                       QStringLiteral("-nolisten"), QStringLiteral("tcp"), QStringLiteral("-auth"),
                       serverAuth});
        QByteArray out;
        while (!out.contains('\n') && process.waitForReadyRead(10000))
            out += process.readAllStandardOutput();
        display = out.trimmed().toInt();
        if (!out.contains('\n'))
            return false;
        xauth.start(QStringLiteral("xauth"),
                    {QStringLiteral("-f"), clientAuth, QStringLiteral("add"),
                     QStringLiteral(":%1").arg(display), QStringLiteral("."), cookie});
        return xauth.waitForFinished(10000) && xauth.exitCode() == 0;
    }
    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DISPLAY"), QStringLiteral(":%1").arg(display));
        env.insert(QStringLiteral("XAUTHORITY"), clientAuth);
        return env;
    }
    QImage grab() const
    {
        QProcess import;
        import.setProcessEnvironment(environment());
        import.start(QStringLiteral("import"),
                     {QStringLiteral("-silent"), QStringLiteral("-window"), QStringLiteral("root"),
                      QStringLiteral("png:-")});
        if (!import.waitForFinished(20000))
            return {};
        return QImage::fromData(import.readAllStandardOutput(), "PNG");
    }
    ~Xvfb()
    {
        process.kill();
        process.waitForFinished(5000);
    }
};

int countColor(const QImage &image, const QColor &color)
{
    int count = 0;
    for (int y = 0; y < image.height(); y += 2) {
        for (int x = 0; x < image.width(); x += 2) {
            const QColor pixel = image.pixelColor(x, y);
            count += qAbs(pixel.red() - color.red()) < 6 &&
                             qAbs(pixel.green() - color.green()) < 6 &&
                             qAbs(pixel.blue() - color.blue()) < 6
                         ? 1
                         : 0;
        }
    }
    return count;
}

} // namespace

void tst_ViewerScreenshot::mainWindowUnderXvfb()
{
    const QString stub = DaemonProcess::stubBackend();
    // Sandboxes whose screens show something: small X programs in place of a desktop.
    const QByteArray backends = R"({"backends": {
  "stub": {"description": "test stub", "command": [")" +
                                stub.toUtf8() + R"(", "{project_dir}"], "display": "xvfb"},
  "stub-exit": {"command": [")" +
                                stub.toUtf8() + R"(", "--exit", "3"], "display": "xvfb"},
  "xclock": {"command": ["xclock", "-update", "1", "-geometry", "1000x1000+460+40"], "display": "xvfb"},
  "xeyes": {"command": ["xeyes", "-geometry", "1800x1000+60+40"], "display": "xvfb"},
  "xlogo": {"command": ["xlogo", "-geometry", "900x900+510+90"], "display": "xvfb"},
  "xcalc": {"command": ["xcalc", "-geometry", "600x900+660+90"], "display": "xvfb"}
}})";
    DaemonProcess daemon;
    QVERIFY(daemon.start({backends, {}, false}));
    TestHttp http;
    QStringList ids;
    const QList<QPair<QString, QString>> sandboxes{
        {QStringLiteral("refactor-auth"), QStringLiteral("xclock")},
        {QStringLiteral("web-frontend"), QStringLiteral("xeyes")},
        {QStringLiteral("docs-site"), QStringLiteral("xlogo")},
        {QStringLiteral("billing-api"), QStringLiteral("xcalc")},
        {QStringLiteral("old-experiment"), QStringLiteral("stub")},
        {QStringLiteral("flaky-job"), QStringLiteral("stub-exit")}};
    for (const auto &[name, backend] : sandboxes) {
        const HttpResult created = http.postJson(
            daemon.url(QStringLiteral("/api/sandboxes")),
            QJsonDocument(QJsonObject{{QStringLiteral("name"), name},
                                      {QStringLiteral("backend"), backend},
                                      {QStringLiteral("project_dir"), daemon.projectDir()}})
                .toJson());
        QCOMPARE(created.status, 201);
        ids.append(created.json().object().value(QStringLiteral("id")).toString());
    }
    QCOMPARE(
        http.request("POST", daemon.url(QStringLiteral("/api/sandboxes/%1/stop").arg(ids.at(4))))
            .status,
        204);

    // The X programs have drawn their windows (the first capture may come before that), so
    // the artifact shows real screens.
    for (int i = 0; i < 4; ++i) {
        const QUrl thumb =
            daemon.url(QStringLiteral("/api/sandboxes/%1/screenshot?size=thumb").arg(ids.at(i)));
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const QImage image = QImage::fromData(http.get(thumb).body, "jpeg");
                return !image.isNull() && countColor(image, QColor(Qt::black)) <
                                              image.width() * image.height() * 9 /
                                                  40 /* a quarter of the pixels are sampled */;
            }(),
            15000);
    }

    Xvfb x;
    QVERIFY2(x.start(QSize(1440, 900)), "Xvfb did not start");
    QTemporaryDir home;
    QProcessEnvironment env = x.environment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), home.path());
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("viewer.thumbnails.debug=true"));
    QProcess viewer;
    viewer.setProcessEnvironment(env);
    viewer.setProcessChannelMode(QProcess::MergedChannels);
    QByteArray output;
    connect(&viewer, &QProcess::readyRead, this, [&] { output += viewer.readAll(); });
    viewer.start(viewerPath(),
                 {QStringLiteral("--url"), daemon.url().toString(), QStringLiteral("--no-tray"),
                  QStringLiteral("-qwindowgeometry"), QStringLiteral("1440x900+0+0")});
    QVERIFY(viewer.waitForStarted(10000));

    // Every running sandbox's thumbnail has been loaded...
    const auto loaded = [&] {
        QSet<QString> seen;
        static const QRegularExpression line(QStringLiteral("thumbnail loaded \\S+ (\\S+)"));
        auto it = line.globalMatch(QString::fromUtf8(output));
        while (it.hasNext())
            seen.insert(it.next().captured(1));
        return seen.contains(ids.at(0)) && seen.contains(ids.at(1)) && seen.contains(ids.at(2)) &&
               seen.contains(ids.at(3));
    };
    QTRY_VERIFY2_WITH_TIMEOUT(loaded(), output.constData(), 30000);
    // ...and painted: the screen shows running, stopped and dead badges.
    QImage screen;
    const QColor running = TileDelegate::statusColor(int(SandboxStatus::Running));
    const QColor stopped = TileDelegate::statusColor(int(SandboxStatus::Stopped));
    const QColor dead = TileDelegate::statusColor(int(SandboxStatus::Dead));
    QTRY_VERIFY_WITH_TIMEOUT(
        (screen = x.grab(), !screen.isNull() && countColor(screen, running) > 40 &&
                                countColor(screen, stopped) > 10 && countColor(screen, dead) > 10),
        20000);
    QCOMPARE(screen.size(), QSize(1440, 900));

    QVERIFY(QDir().mkpath(artifactsDir()));
    const QString path = artifactsDir() + QStringLiteral("/main-window.png");
    QVERIFY(screen.save(path));
    qInfo().noquote() << "screenshot:" << path;

    viewer.kill();
    QVERIFY(viewer.waitForFinished(10000));
}

QTEST_GUILESS_MAIN(tst_ViewerScreenshot)
#include "tst_ViewerScreenshot.moc"
