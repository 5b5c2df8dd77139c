#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include "shared/JsonCodec.h"
#include "shared/Rfc3339.h"

class tst_JsonCodec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void referenceStateLoads();
    void stateRoundTrip();
    void sandboxApiJsonHasReferenceFields();
    void stateOnlyFieldsStayOutOfApi();
    void rejectsBrokenState_data();
    void rejectsBrokenState();
    void createRequest_data();
    void createRequest();
    void metricsRoundTrip();
    void rfc3339_data();
    void rfc3339();
    void backendListRoundTrip();
    void errorBody_data();
    void errorBody();
};

static QByteArray readData(const QString &name)
{
    QFile file(QStringLiteral(CSM_TEST_DATA "/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing test data %s", qPrintable(name));
    return file.readAll();
}

void tst_JsonCodec::referenceStateLoads()
{
    const auto state = JsonCodec::stateFromJson(readData(QStringLiteral("reference-state.json")));
    QVERIFY2(state, qPrintable(state ? QString() : state.error()));
    QCOMPARE(state->sandboxes.size(), 2);
    QCOMPARE(state->nextDisplay, 51);
    const Sandbox &first =
        state->sandboxes.value(QStringLiteral("3f2b8c1e-9d4a-4c7b-8e21-5a6f7d8c9b0a"));
    QCOMPARE(first.name, QStringLiteral("my-project"));
    QCOMPARE(first.backend, QStringLiteral("bubblewrap"));
    QVERIFY(first.status == SandboxStatus::Running);
    QCOMPARE(first.displayNum, std::optional<int>(50));
    QCOMPARE(first.pidXvfb, std::optional<qint64>(12345));
    QCOMPARE(first.tmuxSession, QStringLiteral("sandbox-3f2b8c1e"));
    QVERIFY(first.qmpSocket.isEmpty());
    QVERIFY(first.network);
    QCOMPARE(first.createdAt, QDateTime(QDate(2025, 1, 15), QTime(10, 30, 0, 123), Qt::UTC));
    const Sandbox &vm =
        state->sandboxes.value(QStringLiteral("a1b2c3d4-0000-4000-8000-000000000001"));
    QVERIFY(vm.status == SandboxStatus::Dead);
    QVERIFY(!vm.displayNum);
    QCOMPARE(vm.qmpSocket, QStringLiteral("/run/claude-manager/qmp-a1b2c3d4.sock"));
    QVERIFY(!vm.network);
}

void tst_JsonCodec::stateRoundTrip()
{
    const auto loaded = JsonCodec::stateFromJson(readData(QStringLiteral("reference-state.json")));
    QVERIFY(loaded);
    ManagerState state = *loaded;
    Sandbox &sandbox = state.sandboxes.first();
    sandbox.lastActivityAt = QDateTime(QDate(2025, 2, 1), QTime(1, 2, 3), Qt::UTC);
    sandbox.exitStatus = 7;
    sandbox.reason = QStringLiteral("the backend exited with status 7");
    sandbox.xvfbStartTicks = 123456789;
    sandbox.bootId = QStringLiteral("boot");
    const auto again = JsonCodec::stateFromJson(JsonCodec::stateToJson(state));
    QVERIFY(again);
    QCOMPARE(*again, state);
}

void tst_JsonCodec::sandboxApiJsonHasReferenceFields()
{
    Sandbox sandbox;
    sandbox.id = QStringLiteral("a1b2c3d4-e5f6-4000-8000-000000000000");
    sandbox.name = QStringLiteral("n");
    sandbox.backend = QStringLiteral("bubblewrap");
    sandbox.projectDir = QStringLiteral("/p");
    sandbox.status = SandboxStatus::Running;
    sandbox.displayNum = 50;
    sandbox.tmuxSession = QStringLiteral("sandbox-a1b2c3d4");
    sandbox.createdAt = QDateTime::currentDateTimeUtc();
    const QJsonObject json = JsonCodec::toJson(sandbox);
    for (const char *key : {"id", "name", "backend", "project_dir", "status", "display_num",
                            "tmux_session", "pid_xvfb", "qemu_qmp_socket", "network", "created_at"})
        QVERIFY2(json.contains(QLatin1StringView(key)), key);
    QCOMPARE(json.value(QLatin1StringView("status")).toString(), QStringLiteral("running"));
    QVERIFY(json.value(QLatin1StringView("pid_xvfb")).isNull());
    QVERIFY(json.value(QLatin1StringView("qemu_qmp_socket")).isNull());
    QCOMPARE(json.value(QLatin1StringView("display_num")).toInt(), 50);
}

void tst_JsonCodec::stateOnlyFieldsStayOutOfApi()
{
    Sandbox sandbox;
    sandbox.id = QStringLiteral("x");
    sandbox.xvfbStartTicks = 42;
    sandbox.bootId = QStringLiteral("b");
    QVERIFY(!JsonCodec::toJson(sandbox).contains(QLatin1StringView("xvfb_start_ticks")));
    QVERIFY(JsonCodec::toJson(sandbox, JsonCodec::Audience::StateFile)
                .contains(QLatin1StringView("xvfb_start_ticks")));
}

void tst_JsonCodec::rejectsBrokenState_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addRow("not json") << QByteArray("{\"sandboxes\": ");
    QTest::addRow("array") << QByteArray("[]");
    QTest::addRow("sandboxes not object") << QByteArray(R"({"sandboxes": [], "next_display": 50})");
    QTest::addRow("bad status") << QByteArray(
        R"({"sandboxes": {"a": {"id": "a", "name": "n", "backend": "b",
        "project_dir": "/p", "status": "zombie", "created_at": "2025-01-15T10:30:00Z"}}})");
    QTest::addRow("bad time") << QByteArray(
        R"({"sandboxes": {"a": {"id": "a", "name": "n", "backend": "b",
        "project_dir": "/p", "status": "running", "created_at": "yesterday"}}})");
    QTest::addRow("id mismatch") << QByteArray(
        R"({"sandboxes": {"a": {"id": "b", "name": "n", "backend": "b",
        "project_dir": "/p", "status": "running", "created_at": "2025-01-15T10:30:00Z"}}})");
    QTest::addRow("next_display string")
        << QByteArray(R"({"sandboxes": {}, "next_display": "50"})");
}

void tst_JsonCodec::rejectsBrokenState()
{
    QFETCH(QByteArray, json);
    QVERIFY(!JsonCodec::stateFromJson(json));
}

void tst_JsonCodec::createRequest_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("field");
    QTest::addColumn<bool>("network");
    QTest::addRow("minimal") << QByteArray(R"({"name":"a","backend":"b","project_dir":"/p"})")
                             << true << QString() << true;
    QTest::addRow("no network")
        << QByteArray(R"({"name":"a","backend":"b","project_dir":"/p","network":false})") << true
        << QString() << false;
    QTest::addRow("malformed") << QByteArray("{") << false << QString() << true;
    QTest::addRow("not object") << QByteArray("[1]") << false << QString() << true;
    QTest::addRow("missing name") << QByteArray(R"({"backend":"b","project_dir":"/p"})") << false
                                  << QStringLiteral("name") << true;
    QTest::addRow("name number") << QByteArray(R"({"name":1,"backend":"b","project_dir":"/p"})")
                                 << false << QStringLiteral("name") << true;
    QTest::addRow("network string")
        << QByteArray(R"({"name":"a","backend":"b","project_dir":"/p","network":"no"})") << false
        << QStringLiteral("network") << true;
}

void tst_JsonCodec::createRequest()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);
    QFETCH(QString, field);
    QFETCH(bool, network);
    const auto request = JsonCodec::createRequestFromJson(body);
    QCOMPARE(bool(request), ok);
    if (ok) {
        QCOMPARE(request->network, network);
        const auto again =
            JsonCodec::createRequestFromJson(QJsonDocument(JsonCodec::toJson(*request)).toJson());
        QVERIFY(again);
        QCOMPARE(again->name, request->name);
    } else {
        QCOMPARE(request.error().field, field);
        QVERIFY(!request.error().message.isEmpty());
    }
}

void tst_JsonCodec::metricsRoundTrip()
{
    ClaudeMetrics claude{1, 2, 3, 4, 5, 6, 7};
    const auto claudeAgain = JsonCodec::claudeMetricsFromJson(JsonCodec::toJson(claude));
    QVERIFY(claudeAgain);
    QCOMPARE(*claudeAgain, claude);
    SystemMetrics system{12.5, 100, 200, 300, 400, 500, 600, 1700000000000};
    const auto systemAgain = JsonCodec::systemMetricsFromJson(JsonCodec::toJson(system));
    QVERIFY(systemAgain);
    QCOMPARE(*systemAgain, system);
    QVERIFY(!JsonCodec::claudeMetricsFromJson(QJsonObject{{QStringLiteral("input_tokens"), -1}}));
}

void tst_JsonCodec::rfc3339_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QDateTime>("expected");
    const QDateTime base(QDate(2025, 1, 15), QTime(10, 30, 0), Qt::UTC);
    QTest::addRow("Z") << QStringLiteral("2025-01-15T10:30:00Z") << base;
    QTest::addRow("nanoseconds") << QStringLiteral("2025-01-15T10:30:00.123456789Z")
                                 << base.addMSecs(123);
    QTest::addRow("one digit") << QStringLiteral("2025-01-15T10:30:00.5Z") << base.addMSecs(500);
    QTest::addRow("offset") << QStringLiteral("2025-01-15T12:30:00+02:00") << base;
    QTest::addRow("negative offset") << QStringLiteral("2025-01-15T05:00:00-05:30") << base;
    QTest::addRow("lowercase") << QStringLiteral("2025-01-15t10:30:00z") << base;
    QTest::addRow("no zone") << QStringLiteral("2025-01-15T10:30:00") << QDateTime();
    QTest::addRow("bad month") << QStringLiteral("2025-13-15T10:30:00Z") << QDateTime();
    QTest::addRow("garbage") << QStringLiteral("now") << QDateTime();
}

void tst_JsonCodec::rfc3339()
{
    QFETCH(QString, text);
    QFETCH(QDateTime, expected);
    const auto parsed = Rfc3339::parse(text);
    QCOMPARE(parsed.has_value(), expected.isValid());
    if (parsed) {
        QCOMPARE(*parsed, expected);
        QCOMPARE(Rfc3339::parse(Rfc3339::format(*parsed)), parsed);
    }
}

void tst_JsonCodec::backendListRoundTrip()
{
    const QList<BackendInfo> backends{
        {QStringLiteral("bubblewrap"), QStringLiteral("reference sandbox"), QStringLiteral("xvfb"),
         false, true},
        {QStringLiteral("vm"), QString(), QStringLiteral("qmp"), true, false}};
    QJsonArray array;
    for (const BackendInfo &backend : backends)
        array.append(JsonCodec::toJson(backend));
    const auto parsed = JsonCodec::backendListFromJson(QJsonDocument(array).toJson());
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
    QCOMPARE(*parsed, backends);
    QVERIFY(!JsonCodec::backendListFromJson(R"([{"description":"no name"}])"));
    QVERIFY(!JsonCodec::backendListFromJson(R"({"name":"not an array"})"));
}

void tst_JsonCodec::errorBody_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");

    QTest::addRow("with field") << QJsonDocument(JsonCodec::errorToJson(QStringLiteral("too long"),
                                                                        QStringLiteral("name")))
                                       .toJson()
                                << true << QStringLiteral("name") << QStringLiteral("too long");
    QTest::addRow("without field")
        << QJsonDocument(JsonCodec::errorToJson(QStringLiteral("no such sandbox"))).toJson() << true
        << QString() << QStringLiteral("no such sandbox");
    QTest::addRow("plain text") << QByteArray("Not Found") << false << QString() << QString();
    QTest::addRow("other JSON") << QByteArray(R"({"status":"ok"})") << false << QString()
                                << QString();
}

void tst_JsonCodec::errorBody()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, valid);
    QFETCH(QString, field);
    QFETCH(QString, message);
    const auto error = JsonCodec::errorFromJson(body);
    QCOMPARE(error.has_value(), valid);
    if (!valid)
        return;
    QCOMPARE(error->field, field);
    QCOMPARE(error->message, message);
}

QTEST_GUILESS_MAIN(tst_JsonCodec)
#include "tst_JsonCodec.moc"
