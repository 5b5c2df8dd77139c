// Terminal figures (docs/PERFORMANCE.md, "Terminal"), each next to a baseline measured in
// the same run, with the real daemon binary and tmux:
//   keystroke_echo_p50_ms  a key sent on the terminal stream until its echo arrives on it,
//                          against `tmux send-keys` + `tmux capture-pane` polled at once
//                          and again until the key shows (what a client without the stream does)
//   idle_watched_cpu_pct   daemon CPU (with its tmux control client) while one watcher
//                          watches an idle terminal, against the same daemon unwatched
// Prints "BENCH name=value unit baseline=value ratio=value" lines. --quick: fewer samples.
#include <time.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>
#include <QTextStream>
#include <QWebSocket>

#include "DaemonProcess.h"
#include "TestHttp.h"

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

[[noreturn]] void fail(DaemonProcess &daemon, const QString &message)
{
    QTextStream(stderr) << "bench: " << message << Qt::endl;
    daemon.shutdown();
    std::exit(1);
}

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype index =
        std::min<qsizetype>(values.size() - 1, qsizetype(values.size() * p / 100.0));
    return values[index];
}

// utime + stime of a process, ms.
double cpuMs(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray stat = file.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    return (fields.value(11).toDouble() + fields.value(12).toDouble()) * 1000.0 /
           double(sysconf(_SC_CLK_TCK));
}

// The daemon's CPU and that of its children still running (the tmux control clients).
double daemonCpuMs(qint64 pid)
{
    double total = cpuMs(pid);
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &entry : entries) {
        bool number = false;
        const qint64 child = entry.toLongLong(&number);
        if (!number)
            continue;
        QFile file(QStringLiteral("/proc/%1/stat").arg(child));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QByteArray stat = file.readAll();
        const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        if (fields.value(1).toLongLong() == pid)
            total += cpuMs(child);
    }
    return total;
}

void record(const QString &name, double value, const QString &unit, double baseline,
            const QString &baselineWhat, const QString &target)
{
    out() << QStringLiteral("  %1 = %2 %3 (baseline %4: %5 %3; target %6)")
                 .arg(name)
                 .arg(value, 0, 'f', 3)
                 .arg(unit, baselineWhat)
                 .arg(baseline, 0, 'f', 3)
                 .arg(target)
          << Qt::endl;
    out() << QStringLiteral("BENCH %1=%2 %3 baseline=%4 ratio=%5")
                 .arg(name)
                 .arg(value, 0, 'f', 3)
                 .arg(unit)
                 .arg(baseline, 0, 'f', 3)
                 .arg(value > 0 ? baseline / value : 0, 0, 'f', 2)
          << Qt::endl;
}

QByteArray tmuxRun(const DaemonProcess &daemon, const QStringList &args)
{
    return daemon.tmux(args);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const bool quick = QCoreApplication::arguments().contains(QStringLiteral("--quick"));
    const int samples = quick ? 40 : 200;
    const int idleSeconds = quick ? 10 : 30;

    DaemonProcess daemon;
    DaemonProcess::Options options;
    options.backendsJson =
        R"({"backends": {"shell": {"command": ["bash", "--norc", "--noprofile", "-i"], "display": "none"}}})";
    if (!daemon.start(options))
        fail(daemon, QStringLiteral("the daemon did not start"));
    TestHttp http;
    const QJsonObject created = http.createSandbox(daemon.url(), QStringLiteral("bench"),
                                                   QStringLiteral("shell"), daemon.projectDir())
                                    .json()
                                    .object();
    const QString id = created.value(QStringLiteral("id")).toString();
    const QString session = u'=' + created.value(QStringLiteral("tmux_session")).toString() + u':';
    if (id.isEmpty())
        fail(daemon, QStringLiteral("no sandbox"));
    out() << "# terminal benchmarks" << (quick ? " (quick)" : "") << ": " << samples
          << " keystrokes each way, " << idleSeconds << " s idle windows" << Qt::endl;

    // Idle: the daemon alone, then with one watcher of the idle terminal.
    const auto idleCpu = [&] {
        QTest::qWait(1000);
        const double before = daemonCpuMs(daemon.pid());
        QElapsedTimer wall;
        wall.start();
        QTest::qWait(idleSeconds * 1000);
        return (daemonCpuMs(daemon.pid()) - before) * 100.0 / double(wall.elapsed());
    };
    QTest::qWait(1000); // the shell's prompt is drawn
    const double unwatched = idleCpu();

    QWebSocket socket;
    QByteArray output;
    bool synced = false;
    bool holder = false;
    QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket, [&](const QString &text) {
        const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
        if (message.value(QStringLiteral("type")).toString() == u"screen")
            synced = true;
        if (message.value(QStringLiteral("type")).toString() == u"control")
            holder = message.value(QStringLiteral("yours")).toBool();
    });
    QObject::connect(&socket, &QWebSocket::binaryMessageReceived, &socket,
                     [&](const QByteArray &bytes) { output += bytes; });
    socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/sandboxes/%2/terminal?client=cli")
                         .arg(daemon.port())
                         .arg(id)));
    if (!QTest::qWaitFor([&] { return synced; }, 10000))
        fail(daemon, QStringLiteral("no screen on the terminal stream"));
    const double watched = idleCpu();

    // Keystroke to echo through the daemon.
    socket.sendTextMessage(QStringLiteral(R"({"type":"take"})"));
    if (!QTest::qWaitFor([&] { return holder; }, 10000))
        fail(daemon, QStringLiteral("could not take control"));
    QList<double> streamed;
    for (int i = 0; i < samples; ++i) {
        const char key = char('a' + i % 26);
        output.clear();
        QElapsedTimer timer;
        timer.start();
        socket.sendTextMessage(
            QStringLiteral(R"({"type":"data","data":"%1"})").arg(QLatin1Char(key)));
        if (!QTest::qWaitFor([&] { return output.contains(key); }, 5000))
            fail(daemon, QStringLiteral("no echo of a key"));
        streamed.append(double(timer.nsecsElapsed()) / 1e6);
        if (i % 26 == 25) { // Ctrl+U: a fresh line
            socket.sendTextMessage(QStringLiteral(R"({"type":"data","data":"\u0015"})"));
            QTest::qWait(50);
        }
    }
    socket.sendTextMessage(QStringLiteral(R"({"type":"data","data":"\u0015"})"));
    socket.sendTextMessage(QStringLiteral(R"({"type":"release"})"));
    socket.close();
    QTest::qWait(200);

    // Baseline: one tmux command to type, then capture-pane until the key shows.
    QList<double> polled;
    for (int i = 0; i < samples; ++i) {
        const QString marker = QStringLiteral("q%1").arg(i % 10);
        QElapsedTimer timer;
        timer.start();
        tmuxRun(daemon, {QStringLiteral("send-keys"), QStringLiteral("-t"), session,
                         QStringLiteral("-l"), marker});
        bool seen = false;
        for (int tries = 0; tries < 500 && !seen; ++tries) {
            const QByteArray screen =
                tmuxRun(daemon, {QStringLiteral("capture-pane"), QStringLiteral("-p"),
                                 QStringLiteral("-t"), session});
            seen = screen.contains(marker.toUtf8());
        }
        polled.append(double(timer.nsecsElapsed()) / 1e6);
        tmuxRun(daemon, {QStringLiteral("send-keys"), QStringLiteral("-t"), session,
                         QStringLiteral("C-u")});
        QTest::qWait(20);
    }

    record(QStringLiteral("keystroke_echo_p50_ms"), percentile(streamed, 50), QStringLiteral("ms"),
           percentile(polled, 50), QStringLiteral("tmux send-keys + capture-pane polling"),
           QStringLiteral("<= 30 ms"));
    record(QStringLiteral("keystroke_echo_p99_ms"), percentile(streamed, 99), QStringLiteral("ms"),
           percentile(polled, 99), QStringLiteral("tmux send-keys + capture-pane polling"),
           QStringLiteral("-"));
    record(QStringLiteral("idle_watched_cpu_pct"), watched, QStringLiteral("%"), unwatched,
           QStringLiteral("the same daemon, nobody watching"),
           QStringLiteral("<= 0.1 % of a core"));
    daemon.shutdown();
    return 0;
}
