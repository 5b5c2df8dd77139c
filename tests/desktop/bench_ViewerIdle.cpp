// Benchmark: the viewer's CPU and network use while it shows N tiles of unchanged screens.
// Runs the real daemon with N stub sandboxes (blank, unchanging screens), puts a byte-counting
// TCP relay between it and the viewer binary (offscreen), waits until every thumbnail is
// loaded, then measures for a fixed window: CPU from /proc/<pid>/stat, wire bytes and
// requests from the relay. Prints figures; it passes or fails nothing.
//
//   bench_ViewerIdle [--tiles 20] [--seconds 60]

#include <unistd.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>

#include "DaemonProcess.h"
#include "TestHttp.h"

namespace {

struct Traffic
{
    quint64 down = 0; // daemon -> viewer
    quint64 up = 0;   // viewer -> daemon
    quint64 requests = 0;
    quint64 notModified = 0;
    quint64 notModifiedBytes = 0; // what the 304 answers cost, headers included
};

class CountingRelay : public QObject
{
public:
    CountingRelay(quint16 target, Traffic &traffic) : m_target(target), m_traffic(traffic)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *client = m_server.nextPendingConnection()) {
                auto *upstream = new QTcpSocket(client);
                upstream->connectToHost(QHostAddress::LocalHost, m_target);
                connect(client, &QTcpSocket::readyRead, upstream, [this, client, upstream] {
                    const QByteArray data = client->readAll();
                    m_traffic.up += static_cast<quint64>(data.size());
                    m_traffic.requests += static_cast<quint64>(data.count("HTTP/1.1\r\n"));
                    upstream->write(data);
                });
                connect(upstream, &QTcpSocket::readyRead, client, [this, client, upstream] {
                    const QByteArray data = upstream->readAll();
                    m_traffic.down += static_cast<quint64>(data.size());
                    const auto notModified = static_cast<quint64>(data.count("HTTP/1.1 304"));
                    m_traffic.notModified += notModified;
                    // Keep-alive answers come one per read here: small, and the viewer waits.
                    if (notModified > 0 && data.startsWith("HTTP/1.1 304"))
                        m_traffic.notModifiedBytes += static_cast<quint64>(data.size());
                    client->write(data);
                });
                connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
                connect(upstream, &QTcpSocket::disconnected, client,
                        [client] { client->disconnectFromHost(); });
            }
        });
    }
    quint16 port() const { return m_server.serverPort(); }

private:
    QTcpServer m_server;
    quint16 m_target;
    Traffic &m_traffic;
};

double cpuSeconds(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5); 12 and 13 after the command name.
    return (fields.value(11).toDouble() + fields.value(12).toDouble()) /
           static_cast<double>(::sysconf(_SC_CLK_TCK));
}

void waitFor(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

template<typename Predicate>
bool waitUntil(Predicate predicate, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!predicate()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        waitFor(100);
    }
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption tilesOption(QStringLiteral("tiles"), QStringLiteral("Sandboxes."),
                                         QStringLiteral("n"), QStringLiteral("20"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"),
                                           QStringLiteral("Measuring window."), QStringLiteral("s"),
                                           QStringLiteral("60"));
    parser.addOptions({tilesOption, secondsOption});
    parser.process(app);
    const int tiles = parser.value(tilesOption).toInt();
    const int seconds = parser.value(secondsOption).toInt();

    DaemonProcess daemon;
    if (!daemon.start())
        return 1;
    TestHttp http;
    QStringList ids;
    for (int i = 0; i < tiles; ++i) {
        const HttpResult created = http.postJson(
            daemon.url(QStringLiteral("/api/sandboxes")),
            QJsonDocument(QJsonObject{{QStringLiteral("name"),
                                       QStringLiteral("idle-%1").arg(i, 2, 10, QChar(u'0'))},
                                      {QStringLiteral("backend"), QStringLiteral("stub")},
                                      {QStringLiteral("project_dir"), daemon.projectDir()}})
                .toJson());
        if (created.status != 201) {
            qCritical() << "create failed" << created.status << created.body;
            return 1;
        }
        ids.append(created.json().object().value(QStringLiteral("id")).toString());
    }
    const bool framesReady = waitUntil(
        [&] {
            for (const QString &id : ids) {
                if (http.get(daemon.url(
                                 QStringLiteral("/api/sandboxes/%1/screenshot?size=thumb").arg(id)))
                        .status != 200)
                    return false;
            }
            return true;
        },
        60000);
    if (!framesReady) {
        qCritical() << "the daemon has no screenshot of every sandbox";
        return 1;
    }

    Traffic traffic;
    CountingRelay relay(daemon.port(), traffic);
    QTemporaryDir home;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), home.path());
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("viewer.thumbnails.debug=true"));
    QProcess viewer;
    viewer.setProcessEnvironment(env);
    viewer.setProcessChannelMode(QProcess::MergedChannels);
    QByteArray output;
    QObject::connect(&viewer, &QProcess::readyRead, &viewer, [&] { output += viewer.readAll(); });
    viewer.start(QStringLiteral(CSM_VIEWER_PATH),
                 {QStringLiteral("--url"), QStringLiteral("http://127.0.0.1:%1").arg(relay.port()),
                  QStringLiteral("--no-tray"), QStringLiteral("-qwindowgeometry"),
                  QStringLiteral("1700x1150+0+0")});
    if (!viewer.waitForStarted(10000))
        return 1;
    if (!waitUntil([&] { return output.count("thumbnail loaded") >= tiles; }, 60000)) {
        qCritical().noquote() << "not every thumbnail loaded:" << output.count("thumbnail loaded")
                              << "of" << tiles << "\n"
                              << output.right(2000);
        return 1;
    }
    waitFor(3000); // past the first refresh round

    const double viewerStart = cpuSeconds(viewer.processId());
    const double daemonStart = cpuSeconds(daemon.pid());
    const Traffic before = traffic;
    const qsizetype loadsBefore = output.count("thumbnail loaded");
    QElapsedTimer window;
    window.start();
    waitFor(seconds * 1000);
    const double elapsed = static_cast<double>(window.elapsed()) / 1000.0;
    const double viewerCpu = cpuSeconds(viewer.processId()) - viewerStart;
    const double daemonCpu = cpuSeconds(daemon.pid()) - daemonStart;
    const quint64 down = traffic.down - before.down;
    const quint64 up = traffic.up - before.up;
    const quint64 requests = traffic.requests - before.requests;
    const quint64 notModified = traffic.notModified - before.notModified;
    const quint64 notModifiedBytes = traffic.notModifiedBytes - before.notModifiedBytes;

    QTextStream out(stdout);
    out << "viewer idle benchmark: " << tiles << " tiles of unchanged screens, " << elapsed
        << " s measured\n";
    out << QStringLiteral("  viewer CPU: %1 s (%2 % of one core)\n")
               .arg(viewerCpu, 0, 'f', 2)
               .arg(100.0 * viewerCpu / elapsed, 0, 'f', 2);
    out << QStringLiteral("  daemon CPU while serving it: %1 s (%2 % of one core)\n")
               .arg(daemonCpu, 0, 'f', 2)
               .arg(100.0 * daemonCpu / elapsed, 0, 'f', 2);
    out << QStringLiteral("  requests: %1 (%2 /s), of which 304: %3; new thumbnails: %4\n")
               .arg(requests)
               .arg(static_cast<double>(requests) / elapsed, 0, 'f', 1)
               .arg(notModified)
               .arg(output.count("thumbnail loaded") - loadsBefore);
    out << QStringLiteral("  bytes received: %1 (%2 B/s), sent: %3 (%4 B/s)\n")
               .arg(down)
               .arg(static_cast<double>(down) / elapsed, 0, 'f', 0)
               .arg(up)
               .arg(static_cast<double>(up) / elapsed, 0, 'f', 0);
    out << QStringLiteral("  of the bytes received, 304 answers: %1 (%2 B each); the rest (sandbox "
                          "list polls every 2 s): %3\n")
               .arg(notModifiedBytes)
               .arg(notModified ? notModifiedBytes / notModified : 0)
               .arg(down - notModifiedBytes);
    out.flush();
    viewer.kill();
    viewer.waitForFinished(5000);
    return 0;
}
