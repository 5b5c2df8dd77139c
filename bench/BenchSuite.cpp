// The benchmark suite: every figure of docs/PERFORMANCE.md next to its baseline, measured in
// the same run, with the real daemon binary, Xvfb, tmux and wrk. Prints a table, then one
// "BENCH name=value unit baseline=value ratio=value" line per figure. --quick: under 60 s.
#include <signal.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <xcb/xcb.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QGuiApplication>
#include <QHttpServer>
#include <QImage>
#include <QJsonArray>
#include <QJsonObject>
#include <QPainter>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTextStream>
#include <QTimer>
#include <QWebSocket>

#include "DaemonProcess.h"
#include "TestHttp.h"
#include "capture/FrameProcessor.h"
#include "capture/XcbScreen.h"
#include "metrics/ClaudeMetricsReader.h"
#include "sandbox/XvfbLauncher.h"

namespace {

struct Figure
{
    QString name;
    double value;
    QString unit;
    double baseline;
    bool higherIsBetter;
    QString baselineWhat;
    QString target;

    // How many times better than the baseline.
    double ratio() const
    {
        if (higherIsBetter)
            return baseline > 0 ? value / baseline : 0;
        return value > 0 ? baseline / value : 0;
    }
};

QList<Figure> g_figures;
bool g_quick = false;
QList<DaemonProcess *> g_daemons; // shut down before a failed run exits

// Ends the run: the daemons (and their Xvfbs and tmux servers) must not outlive it.
[[noreturn]] void fail(const QString &message)
{
    QTextStream(stderr) << "bench: " << message << Qt::endl;
    for (DaemonProcess *daemon : std::as_const(g_daemons))
        daemon->shutdown();
    std::exit(1);
}

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

void say(const QString &line)
{
    out() << "# " << line << Qt::endl;
}

void record(Figure figure)
{
    out() << QStringLiteral("  %1 = %2 %3 (baseline %4: %5)")
                 .arg(figure.name)
                 .arg(figure.value, 0, 'f', 3)
                 .arg(figure.unit)
                 .arg(figure.baselineWhat)
                 .arg(figure.baseline, 0, 'f', 3)
          << Qt::endl;
    g_figures.append(std::move(figure));
}

double threadCpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

double childrenCpuMs()
{
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
           (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

// CPU of a process from /proc/<pid>/stat, in ms; with its reaped children when asked.
double processCpuMs(qint64 pid, bool withChildren)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray stat = file.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11..14] are utime stime cutime cstime (fields 14-17 of the file).
    double ticks = fields.value(11).toDouble() + fields.value(12).toDouble();
    if (withChildren)
        ticks += fields.value(13).toDouble() + fields.value(14).toDouble();
    return ticks * 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double rssMb(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/status").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    }
    return 0;
}

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto index =
        static_cast<qsizetype>(std::clamp(p / 100.0 * static_cast<double>(values.size() - 1), 0.0,
                                          static_cast<double>(values.size() - 1)));
    return values.at(index);
}

// A minimal HTTP/1.1 client on one kept-alive connection that counts every byte it reads.
class CountingClient
{
public:
    explicit CountingClient(quint16 port) : m_port(port) {}

    struct Answer
    {
        int status = 0;
        QByteArray body;
        QMap<QByteArray, QByteArray> headers;
    };

    Answer get(const QByteArray &path, const QByteArray &ifNoneMatch = {})
    {
        if (m_socket.state() != QAbstractSocket::ConnectedState) {
            m_socket.connectToHost(QStringLiteral("127.0.0.1"), m_port);
            m_socket.waitForConnected(5000);
        }
        QByteArray request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n";
        if (!ifNoneMatch.isEmpty())
            request += "If-None-Match: " + ifNoneMatch + "\r\n";
        m_socket.write(request + "\r\n");
        Answer answer;
        QByteArray buffer;
        qsizetype headEnd = -1;
        while (headEnd < 0 && m_socket.waitForReadyRead(10000)) {
            buffer += m_socket.readAll();
            headEnd = buffer.indexOf("\r\n\r\n");
        }
        if (headEnd < 0)
            return answer;
        const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
        answer.status = lines.first().split(' ').value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                answer.headers.insert(lines[i].left(colon).trimmed().toLower(),
                                      lines[i].mid(colon + 1).trimmed());
        }
        const qint64 length = answer.headers.value("content-length").toLongLong();
        while (buffer.size() < headEnd + 4 + length && m_socket.waitForReadyRead(10000))
            buffer += m_socket.readAll();
        answer.body = buffer.mid(headEnd + 4, length);
        m_bytes += headEnd + 4 + length;
        return answer;
    }

    qint64 bytes() const { return m_bytes; }

private:
    quint16 m_port;
    QTcpSocket m_socket;
    qint64 m_bytes = 0;
};

QByteArray backendsJson()
{
    const QByteArray stub = DaemonProcess::stubBackend().toUtf8();
    const QByteArray writer = QByteArrayLiteral(CSM_BENCH_DIR "/latency-writer");
    return R"({"backends": {
  "static": {"command": [")" +
           stub + R"(", "{project_dir}"], "display": "xvfb"},
  "latency": {"command": [")" +
           writer + R"(", "{project_dir}"], "display": "none"}
}})";
}

QString create(DaemonProcess &daemon, TestHttp &http, const QString &backend, double *ms = nullptr)
{
    QElapsedTimer timer;
    timer.start();
    const HttpResult result = http.postJson(
        daemon.url(QStringLiteral("/api/sandboxes")),
        QJsonDocument(QJsonObject{{QStringLiteral("name"), backend},
                                  {QStringLiteral("backend"), backend},
                                  {QStringLiteral("project_dir"), daemon.projectDir()}})
            .toJson());
    if (ms)
        *ms = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    if (result.status != 201)
        fail(QStringLiteral("create failed: %1 %2")
                 .arg(result.status)
                 .arg(QString::fromUtf8(result.body)));
    return result.json().object().value(QStringLiteral("id")).toString();
}

void waitForThumbnails(DaemonProcess &daemon, TestHttp &http, const QStringList &ids)
{
    for (const QString &id : ids) {
        if (!QTest::qWaitFor(
                [&] {
                    return http.get(daemon.url(
                                        QStringLiteral("/api/sandboxes/%1/screenshot?size=thumb")
                                            .arg(id)))
                               .status == 200;
                },
                60000))
            fail(QStringLiteral("no thumbnail for %1").arg(id));
    }
}

// --- capture -----------------------------------------------------------------------------

// Text-heavy frames, rendered once: a terminal-like screen full of changing characters.
QList<QImage> textFrames(QSize size, int count)
{
    QList<QImage> frames;
    QRandomGenerator random(42);
    QFont font(QStringLiteral("DejaVu Sans Mono"));
    font.setPixelSize(13);
    for (int f = 0; f < count; ++f) {
        QImage image(size, QImage::Format_RGB32);
        image.fill(QColor(30, 30, 30));
        QPainter painter(&image);
        painter.setFont(font);
        for (int y = 14; y < size.height(); y += 16) {
            QString line;
            for (int i = 0; i < size.width() / 8; ++i)
                line += QChar(u'!' + random.bounded(90));
            painter.setPen(QColor::fromHsv(random.bounded(360), 120, 230));
            painter.drawText(2, y, line);
        }
        frames.append(image);
    }
    return frames;
}

class Painter
{
public:
    Painter(int display, const QByteArray &cookie)
    {
        QByteArray name = QByteArrayLiteral("MIT-MAGIC-COOKIE-1");
        QByteArray data = cookie;
        xcb_auth_info_t auth{static_cast<int>(name.size()), name.data(),
                             static_cast<int>(data.size()), data.data()};
        const QByteArray displayName = ':' + QByteArray::number(display);
        m_connection =
            xcb_connect_to_display_with_auth_info(displayName.constData(), &auth, nullptr);
        const xcb_screen_t *screen = xcb_setup_roots_iterator(xcb_get_setup(m_connection)).data;
        m_root = screen->root;
        m_gc = xcb_generate_id(m_connection);
        xcb_create_gc(m_connection, m_gc, m_root, 0, nullptr);
    }
    ~Painter() { xcb_disconnect(m_connection); }

    // Puts the image on the root window in bands (a request may not exceed 256 KiB) and
    // waits until the server has drawn it.
    void draw(const QImage &image)
    {
        const int band = 256 * 1024 / image.bytesPerLine() - 1;
        for (int y = 0; y < image.height(); y += band) {
            const int rows = std::min(band, image.height() - y);
            xcb_put_image(m_connection, XCB_IMAGE_FORMAT_Z_PIXMAP, m_root, m_gc,
                          static_cast<quint16>(image.width()), static_cast<quint16>(rows), 0,
                          static_cast<qint16>(y), 0, 24,
                          static_cast<quint32>(image.bytesPerLine() * rows),
                          image.constScanLine(y));
        }
        free(xcb_get_input_focus_reply(m_connection, xcb_get_input_focus(m_connection), nullptr));
    }

private:
    xcb_connection_t *m_connection = nullptr;
    xcb_window_t m_root = 0;
    xcb_gcontext_t m_gc = 0;
};

double importOnce(int display, const QString &xauthority)
{
    const double before = childrenCpuMs();
    QProcess import;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XAUTHORITY"), xauthority);
    import.setProcessEnvironment(env);
    import.start(QStringLiteral("import"),
                 {QStringLiteral("-display"), u':' + QString::number(display),
                  QStringLiteral("-silent"), QStringLiteral("-window"), QStringLiteral("root"),
                  QStringLiteral("png:-")});
    import.waitForFinished(60000);
    import.readAllStandardOutput();
    return childrenCpuMs() - before;
}

void captureFigures()
{
    say(QStringLiteral("capture: one 1920x1080 display, a text-heavy screen"));
    QTemporaryDir dir;
    XvfbLauncher launcher;
    std::optional<Expected<XvfbInstance, QString>> started;
    QObject context;
    launcher.start({QStringLiteral("bench"), 150, QSize(1920, 1080), 24, dir.path()}, &context,
                   [&](Expected<XvfbInstance, QString> result) { started = std::move(result); });
    if (!QTest::qWaitFor([&] { return started.has_value(); }, 15000) || !*started)
        fail(QStringLiteral("Xvfb did not start"));
    const XvfbInstance xvfb = **started;
    const auto stopXvfb = qScopeGuard([&] { ::kill(static_cast<pid_t>(xvfb.pid), SIGKILL); });

    const QList<QImage> frames = textFrames(QSize(1920, 1080), 4);
    Painter painter(xvfb.display, xvfb.cookie);
    const int nativeFrames = g_quick ? 30 : 200;
    const int importFrames = g_quick ? 3 : 30;

    // The X server's share: its CPU over drawing alone, then over drawing plus capture.
    const auto xvfbCpu = [&] { return processCpuMs(xvfb.pid, false); };
    const auto drawOnly = [&](int count) {
        const double before = xvfbCpu();
        for (int i = 0; i < count; ++i)
            painter.draw(frames.at(i % frames.size()));
        return (xvfbCpu() - before) / count;
    };

    XcbScreen screen(xvfb.display, xvfb.cookie);
    FrameWants wants;
    const auto nativeCapture = [&](bool change, int count, double *serverMs) {
        double ours = 0;
        const double serverBefore = xvfbCpu();
        for (int i = 0; i < count; ++i) {
            if (change)
                painter.draw(frames.at(i % frames.size()));
            const double start = threadCpuMs();
            const auto outcome = screen.grab(false, [&](const QImage &image) {
                const ProcessedFrame frame = FrameProcessor::process(image, wants);
                wants.previousHash = frame.hash;
            });
            ours += threadCpuMs() - start;
            if (!outcome)
                fail(QStringLiteral("capture failed: ") + outcome.error());
        }
        *serverMs = (xvfbCpu() - serverBefore) / count;
        return ours / count;
    };

    double warmUp = 0;
    nativeCapture(true, 5, &warmUp);
    const double drawCost = drawOnly(nativeFrames);
    double serverWithCapture = 0;
    const double nativeChanging = nativeCapture(true, nativeFrames, &serverWithCapture);
    const double serverShare = std::max(0.0, serverWithCapture - drawCost);
    double serverStatic = 0;
    const double nativeStatic = nativeCapture(false, nativeFrames, &serverStatic);

    double importChanging = 0;
    double importServer = 0;
    for (int i = 0; i < importFrames; ++i) {
        painter.draw(frames.at(i % frames.size()));
        const double serverBefore = xvfbCpu();
        importChanging += importOnce(xvfb.display, xvfb.clientAuthFile);
        importServer += xvfbCpu() - serverBefore;
    }
    importChanging /= importFrames;
    importServer /= importFrames;
    double importStatic = 0;
    for (int i = 0; i < importFrames; ++i)
        importStatic += importOnce(xvfb.display, xvfb.clientAuthFile);
    importStatic /= importFrames;

    say(QStringLiteral("capture: native %1 ms in the daemon + %2 ms in Xvfb per changed frame; "
                       "import %3 ms + %4 ms")
            .arg(nativeChanging, 0, 'f', 2)
            .arg(serverShare, 0, 'f', 2)
            .arg(importChanging, 0, 'f', 1)
            .arg(importServer, 0, 'f', 1));
    record({QStringLiteral("capture_cpu_ms_changing"), nativeChanging + serverShare,
            QStringLiteral("ms"), importChanging + importServer, false,
            QStringLiteral("import -window root png:-"), QStringLiteral(">= 20x")});
    record({QStringLiteral("capture_cpu_ms_static"), nativeStatic + serverStatic,
            QStringLiteral("ms"), importStatic + importServer, false,
            QStringLiteral("import -window root png:-"), QStringLiteral(">= 50x")});
}

// --- the daemon ------------------------------------------------------------------------------

struct IdleCpu
{
    double ours = 0;     // % of one core
    double baseline = 0; // % of one core, its import children and the tmux calls included
};

// Both daemons over the same window, so the baseline's load weighs on the measurement of
// ours (the realistic case, and a conservative one) and the window is spent once. The
// baseline also gets the reference's liveness check: a `tmux has-session` per sandbox per
// 5 s tick, run from here and counted as its CPU.
IdleCpu idleCpuPercent(qint64 ours, qint64 baseline, int seconds,
                       const std::function<void()> &baselineTick)
{
    const double oursBefore = processCpuMs(ours, true);
    const double baselineBefore = processCpuMs(baseline, true);
    const double childrenBefore = childrenCpuMs();
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < seconds * 1000) {
        baselineTick();
        QTest::qWait(5000 - static_cast<int>(timer.elapsed() % 5000));
    }
    const double elapsed = static_cast<double>(timer.elapsed());
    IdleCpu out;
    out.ours = (processCpuMs(ours, true) - oursBefore) / elapsed * 100.0;
    out.baseline =
        (processCpuMs(baseline, true) - baselineBefore + childrenCpuMs() - childrenBefore) /
        elapsed * 100.0;
    return out;
}

void gridBytes(DaemonProcess &daemon, const QStringList &ids, int seconds, double *grid,
               double *baseline)
{
    CountingClient dashboard(daemon.port());
    CountingClient reference(daemon.port());
    static const QRegularExpression thumb(
        QStringLiteral(R"re(src="(/api/sandboxes/[^"]*size=thumb[^"]*)")re"));
    QSet<QString> cached; // what the browser already holds under that URL
    QByteArray listEtag;
    // One round every 5 s, as the page polls; the first opens the page and is not counted.
    const int rounds = std::max(1, seconds / 5);
    QElapsedTimer timer;
    int polls = -1;
    qint64 openingDashboard = 0;
    qint64 openingReference = 0;
    while (polls < rounds) {
        // The dashboard: the card grid every 5 s, revalidated; a thumbnail only for a new URL.
        const auto list = dashboard.get("/fragments/sandbox-list", listEtag);
        if (list.status == 200) {
            listEtag = list.headers.value("etag");
            auto it = thumb.globalMatch(QString::fromUtf8(list.body));
            while (it.hasNext()) {
                const QString url =
                    it.next().captured(1).replace(QStringLiteral("&amp;"), QStringLiteral("&"));
                if (!cached.contains(url)) {
                    dashboard.get(url.toUtf8());
                    cached.insert(url);
                }
            }
        }
        // The reference dashboard: each card's full PNG every 5 s.
        for (const QString &id : ids)
            reference.get(QStringLiteral("/api/sandboxes/%1/screenshot").arg(id).toUtf8());
        if (++polls == 0) {
            openingDashboard = dashboard.bytes();
            openingReference = reference.bytes();
            timer.start();
        }
        if (polls < rounds)
            QTest::qWait(5000 - static_cast<int>(timer.elapsed() % 5000));
    }
    const double minutes = rounds * 5.0 / 60.0; // what the counted rounds stand for
    *grid = static_cast<double>(dashboard.bytes() - openingDashboard) / minutes;
    *baseline = static_cast<double>(reference.bytes() - openingReference) / minutes;
    say(QStringLiteral(
            "grid: %1 polls after opening the page, which loaded %2 bytes (the reference: %3)")
            .arg(polls)
            .arg(openingDashboard)
            .arg(openingReference));
}

struct WrkResult
{
    double rps = 0;
    double p99 = 0;
};

WrkResult runWrk(const QString &url, int seconds)
{
    QProcess wrk;
    wrk.start(QStringLiteral("wrk"),
              {QStringLiteral("-t2"), QStringLiteral("-c10"), QStringLiteral("-d%1s").arg(seconds),
               QStringLiteral("--latency"), url});
    // The server may live in this very process: run a real event loop while wrk works
    // (QTest::qWaitFor sleeps between its rounds).
    QEventLoop loop;
    QObject::connect(&wrk, &QProcess::finished, &loop, &QEventLoop::quit);
    if (wrk.state() != QProcess::NotRunning)
        loop.exec();
    const QString text = QString::fromUtf8(wrk.readAllStandardOutput());
    WrkResult result;
    static const QRegularExpression rps(QStringLiteral(R"(Requests/sec:\s+([\d.]+))"));
    static const QRegularExpression p99(QStringLiteral(R"(\s99%\s+([\d.]+)(us|ms|s))"));
    result.rps = rps.match(text).captured(1).toDouble();
    const auto match = p99.match(text);
    result.p99 = match.captured(1).toDouble();
    if (match.captured(2) == u"us")
        result.p99 /= 1000.0;
    else if (match.captured(2) == u"s")
        result.p99 *= 1000.0;
    if (text.contains(QStringLiteral("Non-2xx")) || text.contains(QStringLiteral("Socket errors")))
        say(QStringLiteral("wrk reported errors:\n") + text);
    return result;
}

void logLatency(DaemonProcess &daemon, TestHttp &http, int samples, double *p50, double *p99,
                double *basePolled50, double *basePolled99)
{
    const QString id = create(daemon, http, QStringLiteral("latency"));
    const QString logPath =
        daemon.stateDir() + QStringLiteral("/logs/") + id + QStringLiteral(".log");
    QList<double> pushed;
    QList<double> polled;
    const auto now = [] {
        timespec ts{};
        clock_gettime(CLOCK_REALTIME, &ts);
        return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
    };
    static const QRegularExpression mark(QStringLiteral(R"(MARK (\d+))"));
    const auto collect = [&](const QString &text, QList<double> &into) {
        const double arrived = now();
        auto it = mark.globalMatch(text);
        while (it.hasNext())
            into.append(arrived - it.next().captured(1).toDouble() / 1e6);
    };
    QWebSocket socket;
    bool backlogSeen = false;
    QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket, [&](const QString &text) {
        if (!backlogSeen) { // the backlog's lines were written before we connected
            backlogSeen = true;
            return;
        }
        collect(text, pushed);
    });
    socket.open(
        QUrl(QStringLiteral("ws://127.0.0.1:%1/ws/sandboxes/%2/logs").arg(daemon.port()).arg(id)));
    // The reference: read what is new in the file every 100 ms.
    QFile file(logPath);
    (void)QTest::qWaitFor([&] { return file.open(QIODevice::ReadOnly); }, 5000);
    file.seek(file.size());
    QTimer poll;
    poll.setInterval(100);
    QObject::connect(&poll, &QTimer::timeout, &poll,
                     [&] { collect(QString::fromUtf8(file.readAll()), polled); });
    poll.start();
    (void)QTest::qWaitFor([&] { return pushed.size() >= samples && polled.size() >= samples; },
                          samples * 400);
    poll.stop();
    *p50 = percentile(pushed, 50);
    *p99 = percentile(pushed, 99);
    *basePolled50 = percentile(polled, 50);
    *basePolled99 = percentile(polled, 99);
    say(QStringLiteral("log latency: %1 pushed and %2 polled samples")
            .arg(pushed.size())
            .arg(polled.size()));
}

void claudeMetrics(DaemonProcess &daemon, TestHttp &http, const QString &id, double *refresh,
                   double *full)
{
    const QString folder = daemon.workDir() + QStringLiteral("/claude/projects/") +
                           ClaudeMetricsReader::encodeProjectPath(daemon.projectDir());
    QDir().mkpath(folder);
    QFile file(folder + QStringLiteral("/bench.jsonl"));
    file.open(QIODevice::WriteOnly);
    const QByteArray assistant =
        R"({"type":"assistant","message":{"role":"assistant","content":[{"type":"text","text":")" +
        QByteArray(600, 'x') +
        R"("},{"type":"tool_use","id":"t","name":"Bash","input":{"command":"ls"}}],"usage":{"input_tokens":12,"output_tokens":34,"cache_creation_input_tokens":5,"cache_read_input_tokens":6}}})"
        "\n";
    const QByteArray user =
        R"({"type":"user","message":{"role":"user","content":")" + QByteArray(300, 'y') + "\"}}\n";
    QByteArray chunk;
    while (chunk.size() < 1024 * 1024)
        chunk += assistant + user;
    for (int i = 0; i < 100; ++i)
        file.write(chunk);
    file.flush();
    const QUrl url = daemon.url(QStringLiteral("/api/sandboxes/%1/metrics").arg(id));
    QElapsedTimer timer;
    timer.start();
    http.get(url); // the first request parses the whole file
    *full = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    QList<double> refreshes;
    for (int i = 0; i < 5; ++i) {
        QByteArray append;
        while (append.size() < 10 * 1024)
            append += assistant + user;
        file.write(append.left(10 * 1024 - 1) + '\n');
        file.flush();
        timer.restart();
        http.get(url);
        refreshes.append(static_cast<double>(timer.nsecsElapsed()) / 1e6);
    }
    *refresh = percentile(refreshes, 50);
}

void daemonFigures()
{
    // --quick: shorter windows, and the API and memory figures at 20 sandboxes instead of 50
    // (the figure names say how many).
    const int few = 20;
    const int many = g_quick ? 20 : 50;
    const int idleSeconds = g_quick ? 20 : 60;
    const int gridSeconds = g_quick ? 5 : 60;
    const int wrkSeconds = g_quick ? 2 : 20;
    TestHttp http;
    DaemonProcess::Options options;
    options.backendsJson = backendsJson();

    say(QStringLiteral("daemons: native capture, and the baseline with MANAGER_CAPTURE=import; "
                       "%1 sandboxes each, then %2")
            .arg(few)
            .arg(many));
    DaemonProcess daemon;
    g_daemons.append(&daemon);
    const auto forget = qScopeGuard([&] { g_daemons.removeOne(&daemon); });
    if (!daemon.start(options))
        fail(QStringLiteral("the daemon did not start"));
    // The creates are timed before the baseline daemon loads the machine.
    QStringList ids;
    QList<double> creates;
    for (int i = 0; i < few; ++i) {
        double ms = 0;
        ids.append(create(daemon, http, QStringLiteral("static"), &ms));
        creates.append(ms);
    }
    record({QStringLiteral("create_ms"), percentile(creates, 50), QStringLiteral("ms"), 500.0,
            false, QStringLiteral("the reference's fixed wait after starting Xvfb"),
            QStringLiteral("<= 200 ms")});

    // The baseline: the reference's ways (import, a tmux call per sandbox per tick).
    double baselineRss = 0;
    IdleCpu idle;
    {
        DaemonProcess baseline;
        g_daemons.append(&baseline);
        const auto forgetBaseline = qScopeGuard([&] { g_daemons.removeOne(&baseline); });
        DaemonProcess::Options baselineOptions = options;
        baselineOptions.environment.insert(QStringLiteral("MANAGER_CAPTURE"),
                                           QStringLiteral("import"));
        if (!baseline.start(baselineOptions))
            fail(QStringLiteral("the baseline daemon did not start"));
        QStringList baselineIds;
        for (int i = 0; i < few; ++i)
            baselineIds.append(create(baseline, http, QStringLiteral("static")));
        waitForThumbnails(daemon, http, ids);
        waitForThumbnails(baseline, http, baselineIds);
        QTest::qWait(2000);
        idle = idleCpuPercent(daemon.pid(), baseline.pid(), idleSeconds, [&] {
            for (const QString &id : std::as_const(baselineIds)) {
                int code = 0;
                baseline.tmux({QStringLiteral("has-session"), QStringLiteral("-t"),
                               QStringLiteral("=sandbox-") + id.left(8)},
                              &code);
            }
        });
        for (int i = few; i < many; ++i)
            baselineIds.append(create(baseline, http, QStringLiteral("static")));
        waitForThumbnails(baseline, http, baselineIds);
        QTest::qWait(2500); // every sandbox's PNG captured and held
        baselineRss = rssMb(baseline.pid());
        baseline.shutdown();
    }
    record({QStringLiteral("idle_cpu_pct_%1").arg(few), idle.ours, QStringLiteral("%"),
            idle.baseline, false,
            QStringLiteral("import capture and a tmux call per sandbox per tick"),
            QStringLiteral("<= 2 %")});

    double grid = 0;
    double gridBaseline = 0;
    gridBytes(daemon, ids, gridSeconds, &grid, &gridBaseline);
    record({QStringLiteral("grid_bytes_per_min_%1").arg(few), grid, QStringLiteral("bytes"),
            gridBaseline, false, QStringLiteral("each full PNG every 5 s"),
            QStringLiteral("<= 1 MB")});

    double p50 = 0, p99 = 0, polled50 = 0, polled99 = 0;
    logLatency(daemon, http, g_quick ? 20 : 200, &p50, &p99, &polled50, &polled99);
    record({QStringLiteral("log_latency_ms_p50"), p50, QStringLiteral("ms"), polled50, false,
            QStringLiteral("polling the file every 100 ms"), QStringLiteral("<= 20 ms")});
    record({QStringLiteral("log_latency_ms_p99"), p99, QStringLiteral("ms"), polled99, false,
            QStringLiteral("polling the file every 100 ms"), QString()});

    double refresh = 0;
    double full = 0;
    claudeMetrics(daemon, http, ids.first(), &refresh, &full);
    record({QStringLiteral("metrics_refresh_ms_100mb"), refresh, QStringLiteral("ms"), full, false,
            QStringLiteral("a full parse of the 100 MB file"), QStringLiteral("<= 5 ms")});

    if (many > few) {
        for (int i = few; i < many; ++i)
            ids.append(create(daemon, http, QStringLiteral("static")));
        waitForThumbnails(daemon, http, ids);
        QTest::qWait(2500);
    }
    record({QStringLiteral("daemon_rss_mb_%1").arg(many), rssMb(daemon.pid()), QStringLiteral("MB"),
            baselineRss, false, QStringLiteral("import capture holding each PNG"),
            QStringLiteral("<= 150 MB")});

    // The API under wrk, next to a bare QHttpServer answering the same bytes: the ceiling
    // of the framework on this machine.
    const QByteArray list = http.get(daemon.url(QStringLiteral("/api/sandboxes"))).body;
    const WrkResult ours =
        runWrk(daemon.url(QStringLiteral("/api/sandboxes")).toString(), wrkSeconds);
    daemon.shutdown();
    QHttpServer bare;
    bare.route(QStringLiteral("/api/sandboxes"),
               [list] { return QHttpServerResponse("application/json", list); });
    const quint16 port = bare.listen(QHostAddress::LocalHost, 0);
    const WrkResult ceiling =
        runWrk(QStringLiteral("http://127.0.0.1:%1/api/sandboxes").arg(port), wrkSeconds);
    record({QStringLiteral("api_rps_%1").arg(many), ours.rps, QStringLiteral("req/s"), ceiling.rps,
            true, QStringLiteral("a bare QHttpServer route with the same answer"),
            QStringLiteral(">= 15000")});
    record({QStringLiteral("api_p99_ms_%1").arg(many), ours.p99, QStringLiteral("ms"), ceiling.p99,
            false, QStringLiteral("a bare QHttpServer route with the same answer"),
            QStringLiteral("<= 5 ms")});
}

QString machine()
{
    QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
    cpuinfo.open(QIODevice::ReadOnly);
    QString model;
    for (const QByteArray &line : cpuinfo.readAll().split('\n')) {
        if (line.startsWith("model name")) {
            model = QString::fromUtf8(line.mid(line.indexOf(':') + 1)).trimmed();
            break;
        }
    }
    return QStringLiteral("%1, %2 cores").arg(model).arg(sysconf(_SC_NPROCESSORS_ONLN));
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    g_quick = args.contains(QStringLiteral("--quick"));
    const bool captureOnly = args.contains(QStringLiteral("--capture-only"));
    QElapsedTimer total;
    total.start();
    say(QStringLiteral("claude-sandbox-manager benchmarks%1 on %2")
            .arg(g_quick ? QStringLiteral(" (quick)") : QString(), machine()));
    captureFigures();
    if (!captureOnly)
        daemonFigures();

    out() << "\n"
          << QStringLiteral("%1 %2 %3 %4 %5")
                 .arg(QStringLiteral("figure"), -26)
                 .arg(QStringLiteral("value"), 14)
                 .arg(QStringLiteral("baseline"), 14)
                 .arg(QStringLiteral("better"), 8)
                 .arg(QStringLiteral("target"))
          << "\n";
    for (const Figure &f : std::as_const(g_figures)) {
        out() << QStringLiteral("%1 %2 %3 %4x %5")
                     .arg(f.name, -26)
                     .arg(QStringLiteral("%1 %2").arg(f.value, 0, 'f', 2).arg(f.unit), 14)
                     .arg(QStringLiteral("%1 %2").arg(f.baseline, 0, 'f', 2).arg(f.unit), 14)
                     .arg(f.ratio(), 7, 'f', 1)
                     .arg(f.target)
              << "\n";
    }
    out() << "\n";
    for (const Figure &f : std::as_const(g_figures)) {
        out() << QStringLiteral("BENCH %1=%2 %3 baseline=%4 ratio=%5")
                     .arg(f.name)
                     .arg(f.value, 0, 'g', 6)
                     .arg(f.unit)
                     .arg(f.baseline, 0, 'g', 6)
                     .arg(f.ratio(), 0, 'f', 2)
              << "\n";
    }
    out() << "# done in " << total.elapsed() / 1000.0 << " s" << Qt::endl;
    return 0;
}
