#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

#include "DaemonProcess.h"
#include "TestHttp.h"
#include "sys/ProcessInfo.h"

// The real daemon binary over real HTTP and WebSocket, with real tmux, Xvfb and QEMU; only
// the backend is the stub script.
class tst_DaemonApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void lifecycle();
    void validation_data();
    void validation();
    void bodyOverOneMebibyteIsRefused();
    void unknownIdsAndMethods();
    void networkOffReachesTheBackend();
    void shellMetacharactersAreData();
    void screenshotAndThumbnail();
    void importCaptureFallback();
    void webSocketBacklogThenLiveOutput();
    void logTail();
    void followLogOverHttp();
    void restartAdoptsRunningSandbox();
    void killedSessionTurnsDead();
    void backendExitIsRecorded();
    void corruptStateIsMovedAside();
    void referenceStateLoads();
    void vmScreenshotThroughQmp();
    void metricsAndHealth();
    void filePermissions();

private:
    QJsonObject create(DaemonProcess &daemon, const QString &backend,
                       const QString &name = QStringLiteral("t"), const QString &dir = {},
                       bool network = true);
    QJsonObject sandbox(DaemonProcess &daemon, const QString &id);
    QByteArray log(DaemonProcess &daemon, const QString &id);

    TestHttp m_http;
};

QJsonObject tst_DaemonApi::create(DaemonProcess &daemon, const QString &backend,
                                  const QString &name, const QString &dir, bool network)
{
    const QJsonObject body{
        {QStringLiteral("name"), name},
        {QStringLiteral("backend"), backend},
        {QStringLiteral("project_dir"), dir.isEmpty() ? daemon.projectDir() : dir},
        {QStringLiteral("network"), network}};
    const HttpResult result =
        m_http.postJson(daemon.url(QStringLiteral("/api/sandboxes")), QJsonDocument(body).toJson());
    if (result.status != 201)
        qWarning().noquote() << "create failed:" << result.status << result.body << result.error;
    return result.json().object();
}

QJsonObject tst_DaemonApi::sandbox(DaemonProcess &daemon, const QString &id)
{
    return m_http.get(daemon.url(QStringLiteral("/api/sandboxes/") + id)).json().object();
}

QByteArray tst_DaemonApi::log(DaemonProcess &daemon, const QString &id)
{
    return m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/logs").arg(id))).body;
}

void tst_DaemonApi::lifecycle()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    HttpResult list = m_http.get(daemon.url(QStringLiteral("/api/sandboxes")));
    QCOMPARE(list.status, 200);
    QCOMPARE(list.json().array().size(), 0);

    const QJsonObject created = create(daemon, QStringLiteral("stub"), QStringLiteral("first"));
    const QString id = created.value(QStringLiteral("id")).toString();
    QCOMPARE(id.size(), 36);
    QCOMPARE(created.value(QStringLiteral("status")).toString(), QStringLiteral("running"));
    QCOMPARE(created.value(QStringLiteral("name")).toString(), QStringLiteral("first"));
    QCOMPARE(created.value(QStringLiteral("backend")).toString(), QStringLiteral("stub"));
    QCOMPARE(created.value(QStringLiteral("tmux_session")).toString(),
             QStringLiteral("sandbox-") + id.left(8));
    QVERIFY(created.value(QStringLiteral("display_num")).toInt() >= 50);
    QVERIFY(created.value(QStringLiteral("pid_xvfb")).toInteger() > 0);
    QVERIFY(created.value(QStringLiteral("network")).toBool());
    QVERIFY(created.value(QStringLiteral("qemu_qmp_socket")).isNull());

    // The backend's first line is in the log, and it got its environment.
    QTRY_VERIFY_WITH_TIMEOUT(log(daemon, id).contains("green stub line"), 10000);
    const QByteArray text = log(daemon, id);
    QVERIFY2(text.startsWith("stub backend started:"), text.constData());
    QVERIFY(text.contains(QByteArray("SANDBOX_ID=" + id.toUtf8())));
    QVERIFY(text.contains(QByteArray(
        "DISPLAY=:" + QByteArray::number(created.value(QStringLiteral("display_num")).toInt()))));
    QVERIFY(text.contains("SANDBOX_NAME=[first]"));

    const QJsonObject second = create(daemon, QStringLiteral("stub"), QStringLiteral("second"));
    list = m_http.get(daemon.url(QStringLiteral("/api/sandboxes")));
    QCOMPARE(list.json().array().size(), 2);
    QCOMPARE(list.json().array().at(0).toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("second"));
    QVERIFY(second.value(QStringLiteral("display_num")).toInt() !=
            created.value(QStringLiteral("display_num")).toInt());

    const qint64 xvfb = created.value(QStringLiteral("pid_xvfb")).toInteger();
    QCOMPARE(
        m_http.request("POST", daemon.url(QStringLiteral("/api/sandboxes/%1/stop").arg(id))).status,
        204);
    QCOMPARE(sandbox(daemon, id).value(QStringLiteral("status")).toString(),
             QStringLiteral("stopped"));
    QTRY_VERIFY_WITH_TIMEOUT(
        !ProcessInfo::isAlive(xvfb) || ProcessInfo::commandLine(xvfb).isEmpty(), 5000);
    int code = 0;
    daemon.tmux({QStringLiteral("has-session"), QStringLiteral("-t"),
                 QStringLiteral("=sandbox-") + id.left(8)},
                &code);
    QVERIFY(code != 0);
    // Stopping again is harmless, as in the reference.
    QCOMPARE(
        m_http.request("POST", daemon.url(QStringLiteral("/api/sandboxes/%1/stop").arg(id))).status,
        204);

    const HttpResult started =
        m_http.request("POST", daemon.url(QStringLiteral("/api/sandboxes/%1/start").arg(id)));
    QCOMPARE(started.status, 200);
    QCOMPARE(started.json().object().value(QStringLiteral("id")).toString(), id);
    QCOMPARE(started.json().object().value(QStringLiteral("status")).toString(),
             QStringLiteral("running"));
    QTRY_COMPARE_WITH_TIMEOUT(log(daemon, id).count("stub backend started:"), 2, 10000); // appended
    const HttpResult again =
        m_http.request("POST", daemon.url(QStringLiteral("/api/sandboxes/%1/start").arg(id)));
    QCOMPARE(again.status, 409);
    QVERIFY(again.json()
                .object()
                .value(QStringLiteral("error"))
                .toString()
                .contains(QStringLiteral("running")));

    const QString logFile =
        daemon.stateDir() + QStringLiteral("/logs/") + id + QStringLiteral(".log");
    QVERIFY(QFile::exists(logFile));
    QCOMPARE(m_http.request("DELETE", daemon.url(QStringLiteral("/api/sandboxes/") + id)).status,
             204);
    QVERIFY(!QFile::exists(logFile));
    QCOMPARE(m_http.get(daemon.url(QStringLiteral("/api/sandboxes/") + id)).status, 404);
    QCOMPARE(m_http.get(daemon.url(QStringLiteral("/api/sandboxes"))).json().array().size(), 1);

    QFile state(daemon.stateDir() + QStringLiteral("/state.json"));
    QVERIFY(state.open(QIODevice::ReadOnly));
    const QJsonObject saved = QJsonDocument::fromJson(state.readAll()).object();
    QCOMPARE(saved.value(QStringLiteral("sandboxes")).toObject().keys(),
             QStringList{second.value(QStringLiteral("id")).toString()});
    QVERIFY(saved.value(QStringLiteral("next_display")).isDouble());
}

void tst_DaemonApi::validation_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("field");
    QTest::addRow("not json") << QByteArray("{\"name\":") << 400 << QString();
    QTest::addRow("array") << QByteArray("[]") << 400 << QString();
    QTest::addRow("missing name") << QByteArray(R"({"backend":"stub","project_dir":"/tmp"})") << 422
                                  << QStringLiteral("name");
    QTest::addRow("long name") << QByteArray(R"({"name":")" + QByteArray(65, 'n') +
                                             R"(","backend":"stub","project_dir":"/tmp"})")
                               << 422 << QStringLiteral("name");
    QTest::addRow("control in name")
        << QByteArray(R"({"name":"a\u0007","backend":"stub","project_dir":"/tmp"})") << 422
        << QStringLiteral("name");
    QTest::addRow("unknown backend")
        << QByteArray(R"({"name":"a","backend":"docker","project_dir":"/tmp"})") << 422
        << QStringLiteral("backend");
    QTest::addRow("relative dir") << QByteArray(
                                         R"({"name":"a","backend":"stub","project_dir":"tmp"})")
                                  << 422 << QStringLiteral("project_dir");
    QTest::addRow("missing dir")
        << QByteArray(R"({"name":"a","backend":"stub","project_dir":"/nonexistent/x"})") << 422
        << QStringLiteral("project_dir");
    QTest::addRow("network off unsupported")
        << QByteArray(R"({"name":"a","backend":"bubblewrap","project_dir":"/tmp","network":false})")
        << 422 << QStringLiteral("network");
    QTest::addRow("network not bool")
        << QByteArray(R"({"name":"a","backend":"stub","project_dir":"/tmp","network":"off"})")
        << 422 << QStringLiteral("network");
    QTest::addRow("backend not installed")
        << QByteArray(R"({"name":"a","backend":"missing","project_dir":"/tmp"})") << 422
        << QStringLiteral("backend");
}

void tst_DaemonApi::validation()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, field);
    static DaemonProcess *daemon = nullptr;
    if (!daemon) {
        daemon = new DaemonProcess(this);
        QVERIFY(daemon->start());
    }
    const HttpResult result = m_http.postJson(daemon->url(QStringLiteral("/api/sandboxes")), body);
    QCOMPARE(result.status, status);
    QCOMPARE(result.header("content-type"), QByteArray("application/json"));
    const QJsonObject error = result.json().object();
    QVERIFY2(!error.value(QStringLiteral("error")).toString().isEmpty(), result.body.constData());
    QCOMPARE(error.value(QStringLiteral("field")).toString(), field);
    if (!field.isEmpty())
        QVERIFY2(error.value(QStringLiteral("error")).toString().contains(field),
                 result.body.constData());
    // Nothing was created, nothing left running.
    QCOMPARE(m_http.get(daemon->url(QStringLiteral("/api/sandboxes"))).json().array().size(), 0);
    QCOMPARE(daemon->tmux({QStringLiteral("list-sessions")}).size(), 0);
}

void tst_DaemonApi::bodyOverOneMebibyteIsRefused()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    const QByteArray big = R"({"name":")" + QByteArray(1024 * 1024, 'x') +
                           R"(","backend":"stub","project_dir":"/tmp"})";
    const HttpResult result = m_http.postJson(daemon.url(QStringLiteral("/api/sandboxes")), big);
    QCOMPARE(result.status, 413);
    QVERIFY(result.json()
                .object()
                .value(QStringLiteral("error"))
                .toString()
                .contains(QStringLiteral("larger")));
    QCOMPARE(m_http.get(daemon.url(QStringLiteral("/api/health"))).status, 200); // still serving
}

void tst_DaemonApi::unknownIdsAndMethods()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    const QString unknown = QStringLiteral("/api/sandboxes/00000000-0000-4000-8000-000000000000");
    for (const auto &[method, path] : {std::pair<QByteArray, QString>{"GET", unknown},
                                       {"DELETE", unknown},
                                       {"POST", unknown + QStringLiteral("/stop")},
                                       {"POST", unknown + QStringLiteral("/start")},
                                       {"GET", unknown + QStringLiteral("/screenshot")},
                                       {"GET", unknown + QStringLiteral("/metrics")},
                                       {"GET", unknown + QStringLiteral("/logs")}}) {
        const HttpResult result = m_http.request(method, daemon.url(path));
        QVERIFY2(result.status == 404, qPrintable(QString::fromLatin1(method) + u' ' + path));
        QVERIFY(result.json().object().contains(QStringLiteral("error")));
    }
    const HttpResult wrongMethod =
        m_http.request("PUT", daemon.url(QStringLiteral("/api/sandboxes")));
    QCOMPARE(wrongMethod.status, 405);
    QVERIFY(wrongMethod.header("allow").contains("GET"));
    QCOMPARE(m_http.get(daemon.url(QStringLiteral("/api/nothing-here"))).status, 404);
    // A WebSocket path answers plain HTTP with 426.
    QCOMPARE(m_http.get(daemon.url(QStringLiteral("/ws/sandboxes/x/logs"))).status, 426);
}

void tst_DaemonApi::networkOffReachesTheBackend()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    const QJsonObject created =
        create(daemon, QStringLiteral("stub"), QStringLiteral("offline"), {}, false);
    QCOMPARE(created.value(QStringLiteral("network")).toBool(true), false);
    const QString id = created.value(QStringLiteral("id")).toString();
    QTRY_VERIFY_WITH_TIMEOUT(log(daemon, id).contains("arg=[--offline]"), 10000);
}

void tst_DaemonApi::shellMetacharactersAreData()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    const QString name =
        QStringLiteral("x; touch /tmp/pwned-$$ `id` $(id) 'q\" #{session_name} a;");
    const QString dir =
        daemon.projectDir() + QStringLiteral("/dir $(touch pwned); 'q' #{pane_id} b;");
    QVERIFY(QDir().mkpath(dir));
    const QJsonObject created = create(daemon, QStringLiteral("stub"), name, dir);
    const QString id = created.value(QStringLiteral("id")).toString();
    QVERIFY(!id.isEmpty());
    QCOMPARE(created.value(QStringLiteral("name")).toString(), name);
    QCOMPARE(created.value(QStringLiteral("project_dir")).toString(), dir);
    QTRY_VERIFY_WITH_TIMEOUT(log(daemon, id).contains("green stub line"), 10000);
    const QByteArray text = log(daemon, id);
    QVERIFY2(text.contains(QByteArray("arg=[" + dir.toUtf8() + "]")), text.constData());
    QVERIFY2(text.contains(QByteArray("pwd=[" + dir.toUtf8() + "]")), text.constData());
    QVERIFY2(text.contains(QByteArray("SANDBOX_NAME=[" + name.toUtf8() + "]")), text.constData());
    QVERIFY(!QFile::exists(dir + QStringLiteral("/pwned")));
    QVERIFY(QDir(QStringLiteral("/tmp")).entryList({QStringLiteral("pwned-*")}).isEmpty());
}

void tst_DaemonApi::screenshotAndThumbnail()
{
    DaemonProcess daemon;
    DaemonProcess::Options options;
    options.environment.insert(QStringLiteral("MANAGER_SCREEN"), QStringLiteral("1024x768x24"));
    QVERIFY(daemon.start(options));
    const QString id =
        create(daemon, QStringLiteral("stub")).value(QStringLiteral("id")).toString();
    const QUrl png = daemon.url(QStringLiteral("/api/sandboxes/%1/screenshot").arg(id));

    // Within 2 s of the start.
    HttpResult full;
    QTRY_VERIFY_WITH_TIMEOUT((full = m_http.get(png)).status == 200, 2000);
    QCOMPARE(full.header("content-type"), QByteArray("image/png"));
    QBuffer buffer(&full.body);
    QImageReader reader(&buffer, "png");
    QCOMPARE(reader.size(), QSize(1024, 768));
    QVERIFY(!reader.read().isNull());
    const QByteArray etag = full.header("etag");
    QVERIFY(!etag.isEmpty());
    QCOMPARE(m_http.get(png, {{"If-None-Match", etag}}).status, 304);

    const QUrl thumbUrl =
        daemon.url(QStringLiteral("/api/sandboxes/%1/screenshot?size=thumb").arg(id));
    HttpResult thumb = m_http.get(thumbUrl);
    QCOMPARE(thumb.status, 200);
    QCOMPARE(thumb.header("content-type"), QByteArray("image/jpeg"));
    QBuffer thumbBuffer(&thumb.body);
    QImageReader thumbReader(&thumbBuffer, "jpeg");
    QCOMPARE(thumbReader.size().width(), 480);
    const QByteArray thumbTag = thumb.header("etag");
    // An unchanged screen: a second fetch costs a 304 and no body.
    const HttpResult second = m_http.get(thumbUrl, {{"If-None-Match", thumbTag}});
    QCOMPARE(second.status, 304);
    QVERIFY(second.body.isEmpty());

    const HttpResult jpeg =
        m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/screenshot?format=jpeg").arg(id)));
    QCOMPARE(jpeg.status, 200);
    QCOMPARE(jpeg.header("content-type"), QByteArray("image/jpeg"));
    QCOMPARE(
        m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/screenshot?size=huge").arg(id)))
            .status,
        422);

    // Stopped: the frame is dropped, as in the reference.
    QCOMPARE(
        m_http.request("POST", daemon.url(QStringLiteral("/api/sandboxes/%1/stop").arg(id))).status,
        204);
    QCOMPARE(m_http.get(png).status, 404);
}

void tst_DaemonApi::importCaptureFallback()
{
    DaemonProcess daemon;
    DaemonProcess::Options options;
    options.environment.insert(QStringLiteral("MANAGER_CAPTURE"), QStringLiteral("import"));
    options.environment.insert(QStringLiteral("MANAGER_SCREEN"), QStringLiteral("800x600x24"));
    QVERIFY(daemon.start(options));
    const QString id =
        create(daemon, QStringLiteral("stub")).value(QStringLiteral("id")).toString();
    HttpResult shot;
    QTRY_VERIFY_WITH_TIMEOUT(
        (shot = m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/screenshot").arg(id))))
                .status == 200,
        5000);
    QCOMPARE(QImage::fromData(shot.body, "png").size(), QSize(800, 600));
    QCOMPARE(
        m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/screenshot?size=thumb").arg(id)))
            .status,
        200);
}

void tst_DaemonApi::webSocketBacklogThenLiveOutput()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    const QJsonObject created = create(daemon, QStringLiteral("stub"));
    const QString id = created.value(QStringLiteral("id")).toString();
    QTRY_VERIFY_WITH_TIMEOUT(log(daemon, id).contains("green stub line"), 10000);

    QWebSocket socket;
    QString received;
    connect(&socket, &QWebSocket::textMessageReceived, this,
            [&](const QString &text) { received += text; });
    QUrl url = daemon.url(QStringLiteral("/ws/sandboxes/%1/logs").arg(id));
    url.setScheme(QStringLiteral("ws"));
    socket.open(url);
    QTRY_VERIFY_WITH_TIMEOUT(received.contains(QStringLiteral("green stub line")), 5000);
    QVERIFY(received.startsWith(QStringLiteral("stub backend started:")));
    QVERIFY(!received.contains(QStringLiteral("typed-after-connect")));

    // Typed into the pane after the connection: the terminal echoes it into the log.
    daemon.tmux({QStringLiteral("send-keys"), QStringLiteral("-t"),
                 QStringLiteral("=sandbox-%1:").arg(id.left(8)),
                 QStringLiteral("typed-after-connect"), QStringLiteral("Enter")});
    QTRY_VERIFY_WITH_TIMEOUT(received.contains(QStringLiteral("typed-after-connect")), 5000);

    // Deleting the sandbox closes the stream.
    QCOMPARE(m_http.request("DELETE", daemon.url(QStringLiteral("/api/sandboxes/") + id)).status,
             204);
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 5000);
    QCOMPARE(socket.closeCode(), QWebSocketProtocol::CloseCodeNormal);

    // An unknown sandbox is refused before the upgrade.
    QWebSocket refused;
    QSignalSpy refusedError(&refused,
                            QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error));
    QUrl unknown = daemon.url(QStringLiteral("/ws/sandboxes/nope/logs"));
    unknown.setScheme(QStringLiteral("ws"));
    refused.open(unknown);
    QTRY_VERIFY_WITH_TIMEOUT(refusedError.count() > 0, 5000);
    QVERIFY(refused.state() != QAbstractSocket::ConnectedState);
}

void tst_DaemonApi::logTail()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    const QString id =
        create(daemon, QStringLiteral("stub")).value(QStringLiteral("id")).toString();
    QTRY_VERIFY_WITH_TIMEOUT(log(daemon, id).contains("green stub line"), 10000);
    const HttpResult tail =
        m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/logs?tail=1").arg(id)));
    QCOMPARE(tail.status, 200);
    QVERIFY(tail.header("content-type").startsWith("text/plain"));
    QCOMPARE(tail.body.count('\n'), 1);
    QVERIFY(tail.body.contains("green stub line"));
    QCOMPARE(m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/logs?tail=0").arg(id))).status,
             422);
    QCOMPARE(
        m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/logs?tail=abc").arg(id))).status,
        422);
}

void tst_DaemonApi::followLogOverHttp()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    const QString id =
        create(daemon, QStringLiteral("stub")).value(QStringLiteral("id")).toString();
    QTRY_VERIFY_WITH_TIMEOUT(log(daemon, id).contains("green stub line"), 10000);
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), daemon.port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET /api/sandboxes/" + id.toUtf8() +
                 "/logs?follow=1&tail=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QByteArray received;
    const auto receive = [&] {
        received += socket.readAll();
        return received;
    };
    QTRY_VERIFY_WITH_TIMEOUT(receive().contains("green stub line"), 5000);
    QVERIFY(received.startsWith("HTTP/1.1 200 OK"));
    QVERIFY(received.contains("Transfer-Encoding: chunked"));
    QVERIFY(!received.contains("pwd=[")); // only the last line, then what comes
    const auto type = [&](const QString &text) {
        daemon.tmux({QStringLiteral("send-keys"), QStringLiteral("-t"),
                     QStringLiteral("=sandbox-%1:").arg(id.left(8)), text,
                     QStringLiteral("Enter")});
    };
    type(QStringLiteral("first-followed-line"));
    QTRY_VERIFY_WITH_TIMEOUT(receive().contains("first-followed-line"), 5000);
    // Longer than the 10 s request deadline: a followed log is left open.
    QTest::qWait(11000);
    QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
    type(QStringLiteral("second-followed-line"));
    QTRY_VERIFY_WITH_TIMEOUT(receive().contains("second-followed-line"), 5000);
    // Deleting the sandbox ends the answer with the last chunk.
    QCOMPARE(m_http.request("DELETE", daemon.url(QStringLiteral("/api/sandboxes/") + id)).status,
             204);
    QTRY_VERIFY_WITH_TIMEOUT(receive().endsWith("\r\n0\r\n\r\n"), 5000);
    QCOMPARE(m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/logs?follow=maybe").arg(id)))
                 .status,
             404);
}

void tst_DaemonApi::restartAdoptsRunningSandbox()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    const QJsonObject created = create(daemon, QStringLiteral("stub"));
    const QString id = created.value(QStringLiteral("id")).toString();
    QTRY_COMPARE_WITH_TIMEOUT(
        m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/screenshot?size=thumb").arg(id)))
            .status,
        200, 3000);

    daemon.kill9();
    QVERIFY(daemon.restart());
    const QJsonObject adopted = sandbox(daemon, id);
    QCOMPARE(adopted.value(QStringLiteral("status")).toString(), QStringLiteral("running"));
    QCOMPARE(adopted.value(QStringLiteral("pid_xvfb")).toInteger(),
             created.value(QStringLiteral("pid_xvfb")).toInteger());
    QCOMPARE(adopted.value(QStringLiteral("display_num")).toInt(),
             created.value(QStringLiteral("display_num")).toInt());
    // Capture and liveness resumed.
    QTRY_COMPARE_WITH_TIMEOUT(
        m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/screenshot?size=thumb").arg(id)))
            .status,
        200, 3000);
    daemon.tmux({QStringLiteral("kill-session"), QStringLiteral("-t"),
                 QStringLiteral("=sandbox-") + id.left(8)});
    QTRY_COMPARE_WITH_TIMEOUT(sandbox(daemon, id).value(QStringLiteral("status")).toString(),
                              QStringLiteral("dead"), 8000);
}

void tst_DaemonApi::killedSessionTurnsDead()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    const QJsonObject created = create(daemon, QStringLiteral("stub"));
    const QString id = created.value(QStringLiteral("id")).toString();
    const qint64 xvfb = created.value(QStringLiteral("pid_xvfb")).toInteger();
    daemon.tmux({QStringLiteral("kill-session"), QStringLiteral("-t"),
                 QStringLiteral("=sandbox-") + id.left(8)});
    // Within one liveness tick (5 s).
    QTRY_COMPARE_WITH_TIMEOUT(sandbox(daemon, id).value(QStringLiteral("status")).toString(),
                              QStringLiteral("dead"), 6000);
    QVERIFY(sandbox(daemon, id)
                .value(QStringLiteral("reason"))
                .toString()
                .contains(QStringLiteral("tmux")));
    // A dead session ends its Xvfb too.
    QTRY_VERIFY_WITH_TIMEOUT(ProcessInfo::commandLine(xvfb).isEmpty(), 5000);
    // And it can be started again.
    QCOMPARE(m_http.request("POST", daemon.url(QStringLiteral("/api/sandboxes/%1/start").arg(id)))
                 .status,
             200);
}

void tst_DaemonApi::backendExitIsRecorded()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    const QString id =
        create(daemon, QStringLiteral("stub-exit")).value(QStringLiteral("id")).toString();
    QTRY_COMPARE_WITH_TIMEOUT(sandbox(daemon, id).value(QStringLiteral("status")).toString(),
                              QStringLiteral("dead"), 6000);
    const QJsonObject dead = sandbox(daemon, id);
    QCOMPARE(dead.value(QStringLiteral("exit_status")).toInt(), 3);
    QVERIFY(dead.value(QStringLiteral("reason")).toString().contains(QStringLiteral("status 3")));
    QVERIFY(log(daemon, id).contains("stub exiting with status 3"));
}

void tst_DaemonApi::corruptStateIsMovedAside()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    const QString first = create(daemon, QStringLiteral("stub"), QStringLiteral("kept"))
                              .value(QStringLiteral("id"))
                              .toString();
    create(daemon, QStringLiteral("stub"), QStringLiteral("lost"));
    daemon.terminate();
    QFile state(daemon.stateDir() + QStringLiteral("/state.json"));
    QVERIFY(state.open(QIODevice::WriteOnly | QIODevice::Truncate));
    state.write("{\"sandboxes\": {");
    state.close();

    QVERIFY(daemon.restart());
    QVERIFY(daemon.output().contains(QStringLiteral("moved it to")));
    const QStringList aside =
        QDir(daemon.stateDir()).entryList({QStringLiteral("state.json.corrupt-*")});
    QCOMPARE(aside.size(), 1);
    const QJsonArray list = m_http.get(daemon.url(QStringLiteral("/api/sandboxes"))).json().array();
    QCOMPARE(list.size(), 1); // from the previous good copy
    QCOMPARE(list.at(0).toObject().value(QStringLiteral("id")).toString(), first);
    // The second sandbox's session and Xvfb belong to nobody now: ended at start.
    QTRY_COMPARE_WITH_TIMEOUT(daemon
                                  .tmux({QStringLiteral("list-sessions"), QStringLiteral("-F"),
                                         QStringLiteral("#{session_name}")})
                                  .trimmed(),
                              QByteArray("sandbox-") + first.left(8).toUtf8(), 5000);
}

void tst_DaemonApi::referenceStateLoads()
{
    DaemonProcess daemon;
    QVERIFY(QDir().mkpath(daemon.stateDir()));
    QVERIFY(QFile::copy(DaemonProcess::sourceDir() +
                            QStringLiteral("/tests/shared/data/reference-state.json"),
                        daemon.stateDir() + QStringLiteral("/state.json")));
    QVERIFY(daemon.start());
    const QJsonArray list = m_http.get(daemon.url(QStringLiteral("/api/sandboxes"))).json().array();
    QCOMPARE(list.size(), 2);
    const QJsonObject running = list.at(1).toObject(); // older, so second
    QCOMPARE(running.value(QStringLiteral("name")).toString(), QStringLiteral("my-project"));
    QCOMPARE(running.value(QStringLiteral("created_at")).toString(),
             QStringLiteral("2025-01-15T10:30:00.123Z"));
    // Its tmux session is not there: dead, with the reason.
    QCOMPARE(running.value(QStringLiteral("status")).toString(), QStringLiteral("dead"));
    QVERIFY(!running.value(QStringLiteral("reason")).toString().isEmpty());
    // pid 12345 was not signalled: it was never proven to be our Xvfb.
}

void tst_DaemonApi::vmScreenshotThroughQmp()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    const QJsonObject created = create(daemon, QStringLiteral("vm"), QStringLiteral("vm"));
    const QString id = created.value(QStringLiteral("id")).toString();
    QVERIFY(created.value(QStringLiteral("display_num")).isNull());
    const QString socket = created.value(QStringLiteral("qemu_qmp_socket")).toString();
    QVERIFY(socket.endsWith(QStringLiteral(".qmp")));
    HttpResult shot;
    QTRY_VERIFY_WITH_TIMEOUT(
        (shot = m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/screenshot").arg(id))))
                .status == 200,
        20000);
    QCOMPARE(shot.header("content-type"), QByteArray("image/png"));
    const QImage image = QImage::fromData(shot.body, "png");
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 320);
    QCOMPARE(
        m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/screenshot?size=thumb").arg(id)))
            .status,
        200);
    QCOMPARE(m_http.request("DELETE", daemon.url(QStringLiteral("/api/sandboxes/") + id)).status,
             204);
}

void tst_DaemonApi::metricsAndHealth()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    const QJsonObject system =
        m_http.get(daemon.url(QStringLiteral("/api/metrics/system"))).json().object();
    for (const char *key : {"cpu_usage", "memory_used", "memory_total", "disk_used", "disk_total",
                            "net_rx_bytes", "net_tx_bytes"})
        QVERIFY2(system.value(QLatin1StringView(key)).isDouble(), key);
    QVERIFY(system.value(QStringLiteral("memory_total")).toDouble() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(!m_http.get(daemon.url(QStringLiteral("/api/metrics/system/history")))
                                  .json()
                                  .array()
                                  .isEmpty(),
                             3000);

    // Claude metrics from session files under MANAGER_CLAUDE_DIR.
    const QString project = daemon.projectDir();
    QString encoded = project;
    for (QChar &c : encoded) {
        if (!(c.isLetterOrNumber() && c.unicode() < 128))
            c = u'-';
    }
    const QString folder = daemon.workDir() + QStringLiteral("/claude/projects/") + encoded;
    QVERIFY(QDir().mkpath(folder));
    QFile session(folder + QStringLiteral("/s1.jsonl"));
    QVERIFY(session.open(QIODevice::WriteOnly));
    session.write(
        R"({"type":"user","message":{"content":"go"}})"
        "\n"
        R"({"type":"assistant","message":{"content":[{"type":"tool_use","name":"Bash"}],"usage":{"input_tokens":11,"output_tokens":7,"cache_creation_input_tokens":3,"cache_read_input_tokens":5}}})"
        "\n");
    session.close();
    const QString id =
        create(daemon, QStringLiteral("stub")).value(QStringLiteral("id")).toString();
    const QJsonObject claude =
        m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/metrics").arg(id))).json().object();
    QCOMPARE(claude.value(QStringLiteral("input_tokens")).toInt(), 11);
    QCOMPARE(claude.value(QStringLiteral("output_tokens")).toInt(), 7);
    QCOMPARE(claude.value(QStringLiteral("cache_creation_tokens")).toInt(), 3);
    QCOMPARE(claude.value(QStringLiteral("cache_read_tokens")).toInt(), 5);
    QCOMPARE(claude.value(QStringLiteral("message_count")).toInt(), 1);
    QCOMPARE(claude.value(QStringLiteral("tool_use_count")).toInt(), 1);

    const QJsonObject health =
        m_http.get(daemon.url(QStringLiteral("/api/health"))).json().object();
    QCOMPARE(health.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QVERIFY(!health.value(QStringLiteral("version")).toString().isEmpty());
    QVERIFY(health.value(QStringLiteral("uptime_seconds")).isDouble());
    QStringList tools;
    for (const QJsonValue &tool : health.value(QStringLiteral("tools")).toArray())
        tools.append(tool.toObject().value(QStringLiteral("name")).toString());
    QVERIFY(tools.contains(QStringLiteral("tmux")));
    QVERIFY(tools.contains(QStringLiteral("Xvfb")));
    QVERIFY(tools.contains(QStringLiteral("backend stub")));
    const QJsonArray backends =
        m_http.get(daemon.url(QStringLiteral("/api/backends"))).json().array();
    QVERIFY(std::any_of(backends.begin(), backends.end(), [](const QJsonValue &b) {
        return b.toObject().value(QStringLiteral("name")).toString() == u"stub" &&
               b.toObject().value(QStringLiteral("supports_no_network")).toBool();
    }));
}

void tst_DaemonApi::filePermissions()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    const QString id =
        create(daemon, QStringLiteral("stub")).value(QStringLiteral("id")).toString();
    const auto others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                        QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    QCOMPARE(QFileInfo(daemon.stateDir()).permissions() & others, QFileDevice::Permissions());
    QCOMPARE(QFileInfo(daemon.stateDir() + QStringLiteral("/logs/") + id + QStringLiteral(".log"))
                     .permissions() &
                 others,
             QFileDevice::Permissions());
    QCOMPARE(QFileInfo(daemon.stateDir() + QStringLiteral("/state.json")).permissions() & others,
             QFileDevice::Permissions());
}

QTEST_GUILESS_MAIN(tst_DaemonApi)
#include "tst_DaemonApi.moc"
