#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

#include "DaemonProcess.h"
#include "TestHttp.h"

namespace {

// One watcher of a terminal stream: keeps every JSON message and the output bytes.
class Watcher : public QObject
{
public:
    explicit Watcher(const QUrl &url, const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        connect(&socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
            messages.append(message);
            if (message.value(QStringLiteral("type")).toString() == u"screen") {
                screens.append(message);
                output += message.value(QStringLiteral("data")).toString().toUtf8();
            }
        });
        connect(&socket, &QWebSocket::binaryMessageReceived, this,
                [this](const QByteArray &bytes) { output += bytes; });
        QNetworkRequest request(url);
        for (const auto &[name, value] : headers)
            request.setRawHeader(name, value);
        socket.open(request);
    }

    void send(const char *json) { socket.sendTextMessage(QString::fromUtf8(json)); }
    QJsonObject last(const QString &type) const
    {
        for (qsizetype i = messages.size() - 1; i >= 0; --i) {
            if (messages[i].value(QStringLiteral("type")).toString() == type)
                return messages[i];
        }
        return {};
    }
    bool hasError(const QString &code) const
    {
        return std::any_of(messages.cbegin(), messages.cend(), [&](const QJsonObject &m) {
            return m.value(QStringLiteral("type")).toString() == u"error" &&
                   m.value(QStringLiteral("code")).toString() == code;
        });
    }
    bool yours() const
    {
        return last(QStringLiteral("control")).value(QStringLiteral("yours")).toBool();
    }
    bool held() const
    {
        return last(QStringLiteral("control")).value(QStringLiteral("holder")).isObject();
    }

    QWebSocket socket;
    QList<QJsonObject> messages;
    QList<QJsonObject> screens;
    QByteArray output;
};

QByteArray shellBackends()
{
    const QByteArray fake =
        (DaemonProcess::sourceDir() + QStringLiteral("/tests/support/fake-claude")).toUtf8();
    return R"({"backends": {
  "shell": {"command": ["bash", "--norc", "--noprofile", "-i"], "display": "none"},
  "claude": {"command": [")" +
           fake + R"("], "display": "none"}
}})";
}

} // namespace

// The live terminal over the real daemon, real tmux and real HTTP/WebSocket: watching,
// taking control, typing, resizing, replies, the audit, and the protection of input.
class tst_Terminal : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void holderTypesWatcherSees();
    void repliesAnswerAPrompt();
    void inputValidation_data();
    void inputValidation();
    void heldTerminalRefusesOthers();
    void idleHolderIsReleased();
    void reconnectAfterRestart();
    void crossSiteAndTokenAreRefused();

private:
    QString startShell(DaemonProcess &daemon, const QString &backend = QStringLiteral("shell"));
    QUrl streamUrl(const DaemonProcess &daemon, const QString &id) const
    {
        QUrl url = daemon.url(QStringLiteral("/ws/sandboxes/%1/terminal").arg(id));
        url.setScheme(QStringLiteral("ws"));
        return url;
    }
    QByteArray screenText(const DaemonProcess &daemon, const QString &id)
    {
        return m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/screen").arg(id))).body;
    }
    QSize windowSize(const DaemonProcess &daemon, const QString &id)
    {
        const QJsonObject sandbox =
            m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1").arg(id))).json().object();
        const QByteArray out =
            daemon
                .tmux({QStringLiteral("display-message"), QStringLiteral("-p"),
                       QStringLiteral("-t"),
                       u'=' + sandbox.value(QStringLiteral("tmux_session")).toString() + u':',
                       QStringLiteral("#{window_width} #{window_height}")})
                .trimmed();
        const QList<QByteArray> fields = out.split(' ');
        return QSize(fields.value(0).toInt(), fields.value(1).toInt());
    }
    HttpResult input(const DaemonProcess &daemon, const QString &id, const QByteArray &json)
    {
        return m_http.postJson(daemon.url(QStringLiteral("/api/sandboxes/%1/input").arg(id)), json);
    }

    TestHttp m_http;
};

QString tst_Terminal::startShell(DaemonProcess &daemon, const QString &backend)
{
    DaemonProcess::Options options;
    options.backendsJson = shellBackends();
    options.environment.insert(QStringLiteral("MANAGER_CONTROL_IDLE_SECONDS"),
                               QStringLiteral("300"));
    if (!daemon.isRunning() && !daemon.start(options))
        return {};
    const HttpResult created =
        m_http.createSandbox(daemon.url(), QStringLiteral("term"), backend, daemon.projectDir());
    return created.json().object().value(QStringLiteral("id")).toString();
}

void tst_Terminal::holderTypesWatcherSees()
{
    DaemonProcess daemon;
    const QString id = startShell(daemon);
    QVERIFY(!id.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(
        screenText(daemon, id).contains("$") || screenText(daemon, id).contains("#"), 10000);
    const QSize initial = windowSize(daemon, id);

    Watcher holder(streamUrl(daemon, id));
    Watcher watcher(streamUrl(daemon, id));
    QTRY_COMPARE_WITH_TIMEOUT(holder.screens.size(), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(watcher.screens.size(), 1, 10000);
    QCOMPARE(holder.screens.first().value(QStringLiteral("cols")).toInt(), initial.width());
    QVERIFY(!holder.held());

    // Nobody holds control: typing is refused.
    watcher.send(R"j({"type":"data","data":"echo refused\r"})j");
    QTRY_VERIFY_WITH_TIMEOUT(watcher.hasError(QStringLiteral("not_holder")), 10000);

    holder.send(R"j({"type":"take"})j");
    QTRY_VERIFY_WITH_TIMEOUT(holder.yours(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(watcher.held(), 10000);
    QVERIFY(!watcher.yours());
    QCOMPARE(watcher.last(QStringLiteral("control"))
                 .value(QStringLiteral("holder"))
                 .toObject()
                 .value(QStringLiteral("actor"))
                 .toObject()
                 .value(QStringLiteral("client"))
                 .toString(),
             QStringLiteral("web"));
    watcher.send(R"j({"type":"take"})j");
    QTRY_VERIFY_WITH_TIMEOUT(watcher.hasError(QStringLiteral("held")), 10000);
    watcher.send(R"j({"type":"data","data":"echo from-watcher\r"})j");

    holder.send(R"j({"type":"data","data":"echo csm-$((6*7))\r"})j");
    QTRY_VERIFY_WITH_TIMEOUT(watcher.output.contains("csm-42"), 10000);
    QVERIFY(!watcher.output.contains("from-watcher"));

    // The holder sizes the window; a watcher cannot shrink it.
    holder.send(R"j({"type":"resize","cols":100,"rows":30})j");
    QTRY_COMPARE_WITH_TIMEOUT(windowSize(daemon, id), QSize(100, 30), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(
        watcher.last(QStringLiteral("size")).value(QStringLiteral("cols")).toInt(), 100, 10000);
    watcher.send(R"j({"type":"resize","cols":40,"rows":10})j");
    Watcher third(streamUrl(daemon, id)); // a new watcher attaching does not resize it either
    QTRY_COMPARE_WITH_TIMEOUT(third.screens.size(), 1, 10000);
    QCOMPARE(third.screens.first().value(QStringLiteral("cols")).toInt(), 100);
    QCOMPARE(windowSize(daemon, id), QSize(100, 30));

    holder.send(R"j({"type":"release"})j");
    QTRY_VERIFY_WITH_TIMEOUT(!watcher.held(), 10000);
    QVERIFY(!holder.yours());

    // Every input is in the audit, with who sent it.
    const QJsonArray audit =
        m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/input-audit").arg(id)))
            .json()
            .array();
    QCOMPARE(audit.size(), 1);
    const QJsonObject entry = audit.first().toObject();
    QCOMPARE(entry.value(QStringLiteral("surface")).toString(), QStringLiteral("terminal"));
    QCOMPARE(entry.value(QStringLiteral("first_line")).toString(),
             QStringLiteral("echo csm-$((6*7))<Enter>"));
    QCOMPARE(entry.value(QStringLiteral("bytes")).toInt(), 18);
    QVERIFY(entry.value(QStringLiteral("actor"))
                .toObject()
                .value(QStringLiteral("peer"))
                .toString()
                .startsWith(u"127.0.0.1:"));
    QVERIFY(QFile::exists(daemon.stateDir() +
                          QStringLiteral("/sandboxes/%1/input-audit.jsonl").arg(id)));

    // Closing the holder's connection gives control back.
    holder.send(R"j({"type":"take"})j");
    QTRY_VERIFY_WITH_TIMEOUT(watcher.held(), 10000);
    holder.socket.close();
    QTRY_VERIFY_WITH_TIMEOUT(!watcher.held(), 10000);

    // The screen as text and as ANSI.
    QTRY_VERIFY_WITH_TIMEOUT(screenText(daemon, id).contains("csm-42"), 10000);
    const HttpResult ansi =
        m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/screen?format=ansi").arg(id)));
    QCOMPARE(ansi.status, 200);
    QVERIFY(ansi.body.contains("\x1b["));
    QCOMPARE(ansi.header("X-Terminal-Size"), QByteArray("100x30"));
    QCOMPARE(m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/screen?format=png").arg(id)))
                 .status,
             400);
}

void tst_Terminal::repliesAnswerAPrompt()
{
    DaemonProcess daemon;
    const QString id = startShell(daemon, QStringLiteral("claude"));
    QVERIFY(!id.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(screenText(daemon, id).contains("Do you want to proceed?"), 10000);
    Watcher watcher(streamUrl(daemon, id));
    QTRY_COMPARE_WITH_TIMEOUT(watcher.screens.size(), 1, 10000);
    QVERIFY(watcher.output.contains("Do you want to proceed?"));

    // A prompt button: the numbered choice, without taking control.
    HttpResult sent = input(daemon, id, R"({"keys": ["1"]})");
    QCOMPARE(sent.status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(watcher.output.contains("permission granted: yes"), 10000);

    // The reply box: a bracketed paste, then Enter.
    sent = input(daemon, id, R"({"text": "use the other API; \"quoted\" $HOME"})");
    QCOMPARE(sent.status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(
        screenText(daemon, id).contains("reply received: [use the other API; \"quoted\" $HOME]"),
        10000);

    const QJsonArray audit =
        m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/input-audit").arg(id)))
            .json()
            .array();
    QCOMPARE(audit.size(), 2);
    QCOMPARE(audit.at(1).toObject().value(QStringLiteral("first_line")).toString(),
             QStringLiteral("use the other API; \"quoted\" $HOME<Enter>"));
    QCOMPARE(audit.at(1)
                 .toObject()
                 .value(QStringLiteral("actor"))
                 .toObject()
                 .value(QStringLiteral("client"))
                 .toString(),
             QStringLiteral("cli"));
}

void tst_Terminal::inputValidation_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("field");
    QTest::addRow("not json") << QByteArray("text=hi") << 400 << QString();
    QTest::addRow("array") << QByteArray("[1]") << 400 << QString();
    QTest::addRow("text not a string")
        << QByteArray(R"({"text": 5})") << 422 << QStringLiteral("text");
    QTest::addRow("unknown key") << QByteArray(R"({"keys": ["Hyper+Q"]})") << 422
                                 << QStringLiteral("keys");
    QTest::addRow("keys not an array")
        << QByteArray(R"({"keys": "Esc"})") << 422 << QStringLiteral("keys");
    QTest::addRow("enter not a bool")
        << QByteArray(R"({"text": "x", "enter": "yes"})") << 422 << QStringLiteral("enter");
    QTest::addRow("unknown field") << QByteArray(R"({"txt": "x"})") << 422 << QStringLiteral("txt");
    QTest::addRow("nothing") << QByteArray(R"({})") << 422 << QStringLiteral("text");
    QTest::addRow("too long") << QByteArray(R"({"text": ")" + QByteArray(70000, 'a') + R"("})")
                              << 422 << QStringLiteral("text");
}

void tst_Terminal::inputValidation()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, field);
    static DaemonProcess *daemon = nullptr;
    static QString id;
    if (!daemon) {
        daemon = new DaemonProcess(this);
        id = startShell(*daemon);
    }
    QVERIFY(!id.isEmpty());
    const HttpResult result = input(*daemon, id, body);
    QCOMPARE(result.status, status);
    const QJsonObject error = result.json().object();
    QVERIFY(!error.value(QStringLiteral("error")).toString().isEmpty());
    QCOMPARE(error.value(QStringLiteral("field")).toString(), field);
    QCOMPARE(input(*daemon, QStringLiteral("nonexistent"), R"({"text":"x"})").status, 404);
}

void tst_Terminal::heldTerminalRefusesOthers()
{
    DaemonProcess daemon;
    const QString id = startShell(daemon);
    QVERIFY(!id.isEmpty());
    Watcher holder(streamUrl(daemon, id));
    QTRY_COMPARE_WITH_TIMEOUT(holder.screens.size(), 1, 10000);
    holder.send(R"j({"type":"take"})j");
    QTRY_VERIFY_WITH_TIMEOUT(holder.yours(), 10000);

    HttpResult refused = input(daemon, id, R"({"text": "echo not-now"})");
    QCOMPARE(refused.status, 409);
    QCOMPARE(refused.json().object().value(QStringLiteral("code")).toString(),
             QStringLiteral("held"));
    QVERIFY(refused.json().object().value(QStringLiteral("holder")).isObject());

    const HttpResult forced =
        input(daemon, id, R"j({"text": "echo forced-$((1+1))", "force": true})j");
    QCOMPARE(forced.status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(holder.output.contains("forced-2"), 10000);
}

void tst_Terminal::idleHolderIsReleased()
{
    DaemonProcess daemon;
    DaemonProcess::Options options;
    options.backendsJson = shellBackends();
    options.environment.insert(QStringLiteral("MANAGER_CONTROL_IDLE_SECONDS"), QStringLiteral("2"));
    QVERIFY(daemon.start(options));
    const QString id = startShell(daemon);
    QVERIFY(!id.isEmpty());
    Watcher holder(streamUrl(daemon, id));
    QTRY_COMPARE_WITH_TIMEOUT(holder.screens.size(), 1, 10000);
    holder.send(R"j({"type":"take"})j");
    QTRY_VERIFY_WITH_TIMEOUT(holder.yours(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!holder.held(), 15000);
    QCOMPARE(holder.last(QStringLiteral("hello")).value(QStringLiteral("idle_seconds")).toInt(), 2);
}

void tst_Terminal::reconnectAfterRestart()
{
    DaemonProcess daemon;
    const QString id = startShell(daemon);
    QVERIFY(!id.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(screenText(daemon, id).contains("bash"), 10000); // the prompt is up
    QCOMPARE(input(daemon, id, R"j({"text": "echo before-$((2*3))-restart"})j").status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(screenText(daemon, id).contains("before-6-restart"), 10000);
    {
        Watcher watcher(streamUrl(daemon, id));
        QTRY_COMPARE_WITH_TIMEOUT(watcher.screens.size(), 1, 10000);
        daemon.terminate();
        QTRY_COMPARE_WITH_TIMEOUT(watcher.socket.state(), QAbstractSocket::UnconnectedState, 10000);
    }
    QVERIFY(daemon.restart());
    // The tmux session outlived the daemon: a new stream shows the same screen.
    Watcher again(streamUrl(daemon, id));
    QTRY_COMPARE_WITH_TIMEOUT(again.screens.size(), 1, 10000);
    QVERIFY(again.output.contains("before-6-restart"));
}

void tst_Terminal::crossSiteAndTokenAreRefused()
{
    DaemonProcess daemon;
    QTemporaryDir dir;
    const QString tokenPath = dir.filePath(QStringLiteral("token"));
    QFile token(tokenPath);
    QVERIFY(token.open(QIODevice::WriteOnly));
    token.write("s3cret-token-for-the-terminal-test");
    token.close();
    token.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    DaemonProcess::Options options;
    options.backendsJson = shellBackends();
    options.environment.insert(QStringLiteral("MANAGER_TOKEN_FILE"), tokenPath);
    QVERIFY(daemon.start(options));
    const QByteArray bearer = "Bearer s3cret-token-for-the-terminal-test";
    const QJsonObject created =
        m_http
            .request(
                "POST", daemon.url(QStringLiteral("/api/sandboxes")),
                QJsonDocument(QJsonObject{{QStringLiteral("name"), QStringLiteral("t")},
                                          {QStringLiteral("backend"), QStringLiteral("shell")},
                                          {QStringLiteral("project_dir"), daemon.projectDir()}})
                    .toJson(),
                {{"Content-Type", "application/json"}, {"Authorization", bearer}})
            .json()
            .object();
    const QString id = created.value(QStringLiteral("id")).toString();
    QVERIFY(!id.isEmpty());
    const QUrl inputUrl = daemon.url(QStringLiteral("/api/sandboxes/%1/input").arg(id));

    // Without the token: 401, for input, the screen and the stream.
    QCOMPARE(input(daemon, id, R"({"text": "echo x"})").status, 401);
    QCOMPARE(m_http.get(daemon.url(QStringLiteral("/api/sandboxes/%1/screen").arg(id))).status,
             401);
    Watcher anonymous(streamUrl(daemon, id));
    QTRY_COMPARE_WITH_TIMEOUT(anonymous.socket.state(), QAbstractSocket::UnconnectedState, 10000);
    QVERIFY(anonymous.screens.isEmpty());

    // With the token but from another site: refused, as a page on evil.example would be.
    const HttpResult crossSite = m_http.request("POST", inputUrl, R"({"text": "echo pwned"})",
                                                {{"Content-Type", "application/json"},
                                                 {"Authorization", bearer},
                                                 {"Origin", "http://evil.example"}});
    QCOMPARE(crossSite.status, 403);
    const HttpResult formPost =
        m_http.request("POST", inputUrl, "text=echo+pwned",
                       {{"Content-Type", "application/x-www-form-urlencoded"},
                        {"Authorization", bearer},
                        {"Sec-Fetch-Site", "cross-site"}});
    QCOMPARE(formPost.status, 403);
    Watcher evil(streamUrl(daemon, id),
                 {{"Authorization", bearer}, {"Origin", "http://evil.example"}});
    QTRY_COMPARE_WITH_TIMEOUT(evil.socket.state(), QAbstractSocket::UnconnectedState, 10000);
    QVERIFY(evil.screens.isEmpty());

    // The rightful client gets through.
    Watcher rightful(streamUrl(daemon, id), {{"Authorization", bearer}});
    QTRY_COMPARE_WITH_TIMEOUT(rightful.screens.size(), 1, 10000);
    const HttpResult ok =
        m_http.request("POST", inputUrl, R"j({"text": "echo fine-$((3*3))"})j",
                       {{"Content-Type", "application/json"}, {"Authorization", bearer}});
    QCOMPARE(ok.status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(rightful.output.contains("fine-9"), 10000);
    QVERIFY(!rightful.output.contains("pwned"));
}

QTEST_GUILESS_MAIN(tst_Terminal)
#include "tst_Terminal.moc"
