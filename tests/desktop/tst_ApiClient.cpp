#include <QFile>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include "DaemonProcess.h"
#include "shared/ApiClient.h"

// The viewer's API client against the real daemon binary (and, for what the daemon cannot be
// made to do on demand, a TCP server that answers by hand).
class tst_ApiClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void lifecycle();
    void validationErrorsNameTheField_data();
    void validationErrorsNameTheField();
    void screenshotsRevalidateWithEtag();
    void listRevalidatesWithEtag();
    void logTailMetricsBackends();
    void refusedConnectionIsANetworkError();
    void bearerTokenIsSent();
    void tokenAgainstTheDaemon();
    void slowServerTimesOut();
    void abortAllCancels();
    void destroyedContextGetsNoCallback();
};

namespace {

// Runs one ApiClient call and waits for its callback.
template<typename Result, typename Call>
std::optional<Result> await(Call call, int timeoutMs = 20000)
{
    std::optional<Result> out;
    QObject context;
    call(&context, [&out](Result result) { out.emplace(std::move(result)); });
    if (!QTest::qWaitFor([&] { return out.has_value(); }, timeoutMs))
        qWarning("no answer within %d ms", timeoutMs);
    return out;
}

// Accepts connections, records what they send, and answers with `reply` (or stays silent).
class HandServer : public QObject
{
public:
    // Answers the n-th request (bodyless) with replies[n], the last one for any after it.
    explicit HandServer(QList<QByteArray> replies) : m_replies(std::move(replies))
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *socket = m_server.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                requests += socket->readAll();
                if (m_replies.isEmpty())
                    return;
                for (qsizetype complete = requests.count("\r\n\r\n"); m_answered < complete;
                     ++m_answered)
                    socket->write(m_replies.at(std::min(m_answered, m_replies.size() - 1)));
            });
        });
    }
    explicit HandServer(QByteArray reply) : HandServer(QList<QByteArray>{std::move(reply)}) {}
    QUrl url() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()));
    }
    QByteArray requests;

private:
    QTcpServer m_server;
    QList<QByteArray> m_replies;
    qsizetype m_answered = 0;
};

} // namespace

void tst_ApiClient::lifecycle()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    QNetworkAccessManager network;
    ApiClient api(network, daemon.url());

    auto list = await<ApiResult<QList<Sandbox>>>(
        [&](QObject *context, auto done) { api.listSandboxes(context, done); });
    QVERIFY(list && *list);
    QCOMPARE((*list)->size(), 0);

    const CreateRequest request{QStringLiteral("from-viewer"), QStringLiteral("stub"),
                                daemon.projectDir(), true};
    auto created = await<ApiResult<Sandbox>>(
        [&](QObject *context, auto done) { api.createSandbox(request, context, done); });
    QVERIFY(created);
    QVERIFY2(*created, qPrintable(created->has_value() ? QString() : created->error().toString()));
    const Sandbox sandbox = created->value();
    QCOMPARE(sandbox.name, QStringLiteral("from-viewer"));
    QVERIFY(sandbox.isRunning());
    QCOMPARE(sandbox.tmuxSession, QStringLiteral("sandbox-") + sandbox.shortId());

    auto fetched = await<ApiResult<Sandbox>>(
        [&](QObject *context, auto done) { api.sandbox(sandbox.id, context, done); });
    QVERIFY(fetched && *fetched);
    QCOMPARE((*fetched)->id, sandbox.id);

    auto stopped = await<std::optional<ApiFailure>>(
        [&](QObject *context, auto done) { api.stopSandbox(sandbox.id, context, done); });
    QVERIFY(stopped);
    QVERIFY(!stopped->has_value());
    fetched = await<ApiResult<Sandbox>>(
        [&](QObject *context, auto done) { api.sandbox(sandbox.id, context, done); });
    QVERIFY((*fetched)->status == SandboxStatus::Stopped);

    auto started = await<ApiResult<Sandbox>>(
        [&](QObject *context, auto done) { api.startSandbox(sandbox.id, context, done); });
    QVERIFY(started && *started);
    QVERIFY((*started)->isRunning());
    // Starting a running sandbox is a conflict, with the daemon's words.
    auto again = await<ApiResult<Sandbox>>(
        [&](QObject *context, auto done) { api.startSandbox(sandbox.id, context, done); });
    QVERIFY(again && !*again);
    QCOMPARE(again->error().httpStatus, 409);
    QVERIFY(!again->error().message.isEmpty());

    auto deleted = await<std::optional<ApiFailure>>(
        [&](QObject *context, auto done) { api.deleteSandbox(sandbox.id, context, done); });
    QVERIFY(deleted && !deleted->has_value());
    auto gone = await<ApiResult<Sandbox>>(
        [&](QObject *context, auto done) { api.sandbox(sandbox.id, context, done); });
    QVERIFY(gone && !*gone);
    QCOMPARE(gone->error().kind, ApiFailure::Kind::Http);
    QCOMPARE(gone->error().httpStatus, 404);
    QVERIFY2(gone->error().message.contains(sandbox.id), qPrintable(gone->error().message));
}

void tst_ApiClient::validationErrorsNameTheField_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("backend");
    QTest::addColumn<QString>("projectDir"); // "@" stands for the daemon's project dir
    QTest::addColumn<QString>("field");

    QTest::addRow("empty name") << QString() << QStringLiteral("stub") << QStringLiteral("@")
                                << QStringLiteral("name");
    QTest::addRow("unknown backend") << QStringLiteral("x") << QStringLiteral("nope")
                                     << QStringLiteral("@") << QStringLiteral("backend");
    QTest::addRow("relative dir") << QStringLiteral("x") << QStringLiteral("stub")
                                  << QStringLiteral("relative/dir")
                                  << QStringLiteral("project_dir");
    QTest::addRow("missing dir") << QStringLiteral("x") << QStringLiteral("stub")
                                 << QStringLiteral("/nonexistent/dir")
                                 << QStringLiteral("project_dir");
    QTest::addRow("program not installed") << QStringLiteral("x") << QStringLiteral("missing")
                                           << QStringLiteral("@") << QStringLiteral("backend");
}

void tst_ApiClient::validationErrorsNameTheField()
{
    QFETCH(QString, name);
    QFETCH(QString, backend);
    QFETCH(QString, projectDir);
    QFETCH(QString, field);

    DaemonProcess daemon;
    QVERIFY(daemon.start());
    QNetworkAccessManager network;
    ApiClient api(network, daemon.url());
    const CreateRequest request{name, backend,
                                projectDir == u"@" ? daemon.projectDir() : projectDir, true};
    auto result = await<ApiResult<Sandbox>>(
        [&](QObject *context, auto done) { api.createSandbox(request, context, done); });
    QVERIFY(result && !*result);
    QCOMPARE(result->error().kind, ApiFailure::Kind::Http);
    QCOMPARE(result->error().httpStatus, 422);
    QCOMPARE(result->error().field, field);
    QVERIFY(!result->error().message.isEmpty());
}

void tst_ApiClient::screenshotsRevalidateWithEtag()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    QNetworkAccessManager network;
    ApiClient api(network, daemon.url());
    const CreateRequest request{QStringLiteral("screen"), QStringLiteral("stub"),
                                daemon.projectDir(), true};
    auto created = await<ApiResult<Sandbox>>(
        [&](QObject *context, auto done) { api.createSandbox(request, context, done); });
    QVERIFY(created && *created);
    const QString id = (*created)->id;

    // The first frame comes within a capture period or two.
    std::optional<ApiResult<ScreenshotFetch>> thumb;
    QTRY_VERIFY_WITH_TIMEOUT(
        (thumb = await<ApiResult<ScreenshotFetch>>([&](QObject *context, auto done) {
             api.screenshot(id, ApiClient::ScreenshotSize::Thumbnail, {}, context, done);
         }),
         thumb && *thumb),
        15000);
    QVERIFY(!(*thumb)->unchanged);
    QCOMPARE((*thumb)->contentType, QByteArray("image/jpeg"));
    QVERIFY(!(*thumb)->etag.isEmpty());
    QImage image;
    QVERIFY(image.loadFromData((*thumb)->data));
    QVERIFY(image.width() >= 200 && image.width() <= 640);

    // The stub never draws: the same screen again is a 304, without a body.
    const QByteArray etag = (*thumb)->etag;
    auto second = await<ApiResult<ScreenshotFetch>>([&](QObject *context, auto done) {
        api.screenshot(id, ApiClient::ScreenshotSize::Thumbnail, etag, context, done);
    });
    QVERIFY(second && *second);
    QVERIFY((*second)->unchanged);
    QVERIFY((*second)->data.isEmpty());

    auto full = await<ApiResult<ScreenshotFetch>>([&](QObject *context, auto done) {
        api.screenshot(id, ApiClient::ScreenshotSize::Full, {}, context, done);
    });
    QVERIFY(full && *full);
    QCOMPARE((*full)->contentType, QByteArray("image/png"));
    QVERIFY((*full)->data.startsWith("\x89PNG"));
    QVERIFY((*full)->etag != etag);
    const QByteArray fullEtag = (*full)->etag;
    auto fullAgain = await<ApiResult<ScreenshotFetch>>([&](QObject *context, auto done) {
        api.screenshot(id, ApiClient::ScreenshotSize::Full, fullEtag, context, done);
    });
    QVERIFY(fullAgain && *fullAgain && (*fullAgain)->unchanged);
}

void tst_ApiClient::listRevalidatesWithEtag()
{
    // Against a server that answers by hand: the second poll carries the first answer's
    // ETag, and its 304 is answered from the list already held.
    const QByteArray body =
        R"([{"id":"6f1c0e3a-1111-4222-8333-444455556666","name":"held","backend":"stub",)"
        R"("project_dir":"/tmp","display":null,"tmux_session":"sandbox-6f1c0e3a",)"
        R"("status":"running","created_at":"2026-11-27T10:00:00Z"}])";
    HandServer server(
        {"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nETag: \"list-1\"\r\n"
         "Content-Length: " +
             QByteArray::number(body.size()) + "\r\n\r\n" + body,
         "HTTP/1.1 304 Not Modified\r\nETag: \"list-1\"\r\nContent-Length: 0\r\n\r\n"});
    QNetworkAccessManager network;
    ApiClient hand(network, server.url());
    auto first = await<ApiResult<QList<Sandbox>>>(
        [&](QObject *context, auto done) { hand.listSandboxes(context, done); });
    QVERIFY(first && *first);
    QCOMPARE((*first)->size(), 1);
    QVERIFY(!server.requests.contains("If-None-Match"));
    auto second = await<ApiResult<QList<Sandbox>>>(
        [&](QObject *context, auto done) { hand.listSandboxes(context, done); });
    QVERIFY(second && *second);
    QVERIFY2(server.requests.contains("\r\nIf-None-Match: \"list-1\"\r\n"),
             server.requests.constData());
    QCOMPARE((*second)->size(), 1);
    QCOMPARE((*second)->first().name, QStringLiteral("held"));

    // Against the daemon: a change to the list is seen on the next poll, not hidden by a 304.
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    ApiClient api(network, daemon.url());
    auto empty = await<ApiResult<QList<Sandbox>>>(
        [&](QObject *context, auto done) { api.listSandboxes(context, done); });
    QVERIFY(empty && *empty && (*empty)->isEmpty());
    const CreateRequest request{QStringLiteral("listed"), QStringLiteral("stub"),
                                daemon.projectDir(), true};
    auto created = await<ApiResult<Sandbox>>(
        [&](QObject *context, auto done) { api.createSandbox(request, context, done); });
    QVERIFY(created && *created);
    auto listed = await<ApiResult<QList<Sandbox>>>(
        [&](QObject *context, auto done) { api.listSandboxes(context, done); });
    QVERIFY(listed && *listed);
    QCOMPARE((*listed)->size(), 1);
    QCOMPARE((*listed)->first().name, QStringLiteral("listed"));
    auto unchanged = await<ApiResult<QList<Sandbox>>>(
        [&](QObject *context, auto done) { api.listSandboxes(context, done); });
    QVERIFY(unchanged && *unchanged);
    QCOMPARE((*unchanged)->size(), 1);
    QCOMPARE((*unchanged)->first().id, (*created)->id);
}

void tst_ApiClient::logTailMetricsBackends()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    QNetworkAccessManager network;
    ApiClient api(network, daemon.url());
    const CreateRequest request{QStringLiteral("talky"), QStringLiteral("stub-tick"),
                                daemon.projectDir(), true};
    auto created = await<ApiResult<Sandbox>>(
        [&](QObject *context, auto done) { api.createSandbox(request, context, done); });
    QVERIFY(created && *created);
    const QString id = (*created)->id;

    std::optional<ApiResult<QByteArray>> tail;
    QTRY_VERIFY_WITH_TIMEOUT((tail = await<ApiResult<QByteArray>>([&](QObject *context, auto done) {
                                  api.logTail(id, 2, context, done);
                              }),
                              tail && *tail && (*tail)->contains("tick 3")),
                             15000);
    QCOMPARE((*tail)->count('\n'), 2);
    QVERIFY(!(*tail)->contains("stub backend started")); // only the last two lines

    auto metrics = await<ApiResult<ClaudeMetrics>>(
        [&](QObject *context, auto done) { api.claudeMetrics(id, context, done); });
    QVERIFY(metrics && *metrics);
    QCOMPARE((*metrics)->sessionCount, 0u);

    auto backends = await<ApiResult<QList<BackendInfo>>>(
        [&](QObject *context, auto done) { api.backends(context, done); });
    QVERIFY(backends && *backends);
    const auto find = [&](const QString &name) -> std::optional<BackendInfo> {
        for (const BackendInfo &backend : backends->value()) {
            if (backend.name == name)
                return backend;
        }
        return std::nullopt;
    };
    QVERIFY(find(QStringLiteral("stub")));
    QVERIFY(find(QStringLiteral("stub"))->available);
    QVERIFY(find(QStringLiteral("stub"))->supportsNoNetwork);
    QCOMPARE(find(QStringLiteral("stub"))->description, QStringLiteral("test stub"));
    QVERIFY(find(QStringLiteral("missing")));
    QVERIFY(!find(QStringLiteral("missing"))->available);
}

void tst_ApiClient::refusedConnectionIsANetworkError()
{
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const quint16 port = closed.serverPort();
    closed.close();
    QNetworkAccessManager network;
    ApiClient api(network, QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
    auto result = await<ApiResult<QList<Sandbox>>>(
        [&](QObject *context, auto done) { api.listSandboxes(context, done); });
    QVERIFY(result && !*result);
    QCOMPARE(result->error().kind, ApiFailure::Kind::Network);
    QCOMPARE(result->error().httpStatus, 0);
    QCOMPARE(result->error().networkError, QNetworkReply::ConnectionRefusedError);
    QVERIFY(!result->error().message.isEmpty());
}

void tst_ApiClient::bearerTokenIsSent()
{
    const QByteArray body = R"({"error":"this server needs a token"})";
    HandServer server("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n"
                      "Content-Length: " +
                      QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QNetworkAccessManager network;
    ApiClient api(network, server.url());
    api.setToken(QStringLiteral("s3cret-token"));
    auto result = await<ApiResult<QList<Sandbox>>>(
        [&](QObject *context, auto done) { api.listSandboxes(context, done); });
    QVERIFY(result && !*result);
    QVERIFY2(server.requests.contains("\r\nAuthorization: Bearer s3cret-token\r\n"),
             server.requests.constData());
    QCOMPARE(result->error().httpStatus, 401);
    QCOMPARE(result->error().message, QStringLiteral("this server needs a token"));
}

void tst_ApiClient::tokenAgainstTheDaemon()
{
    DaemonProcess daemon;
    const QString tokenPath = daemon.workDir() + QStringLiteral("/token");
    QFile token(tokenPath);
    QVERIFY(token.open(QIODevice::WriteOnly));
    token.write("viewer-test-token-0123456789abcdef\n");
    token.close();
    token.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    QVERIFY(daemon.start({{}, {{QStringLiteral("MANAGER_TOKEN_FILE"), tokenPath}}, false}));
    QNetworkAccessManager network;
    ApiClient api(network, daemon.url());

    auto without = await<ApiResult<QList<Sandbox>>>(
        [&](QObject *context, auto done) { api.listSandboxes(context, done); });
    QVERIFY(without);
    if (*without)
        QSKIP("this daemon build does not enforce MANAGER_TOKEN_FILE");
    QCOMPARE(without->error().httpStatus, 401);

    api.setToken(QStringLiteral("viewer-test-token-0123456789abcdef"));
    auto with = await<ApiResult<QList<Sandbox>>>(
        [&](QObject *context, auto done) { api.listSandboxes(context, done); });
    QVERIFY2(with && *with, qPrintable(with && !*with ? with->error().toString() : QString()));
}

void tst_ApiClient::slowServerTimesOut()
{
    HandServer silent(QList<QByteArray>{});
    QNetworkAccessManager network;
    ApiClient api(network, silent.url());
    api.setTimeout(std::chrono::milliseconds(300));
    auto result = await<ApiResult<QList<Sandbox>>>(
        [&](QObject *context, auto done) { api.listSandboxes(context, done); });
    QVERIFY(result && !*result);
    QCOMPARE(result->error().kind, ApiFailure::Kind::Network);
    QVERIFY2(result->error().message.contains(QLatin1StringView("no answer in time")),
             qPrintable(result->error().message));
}

void tst_ApiClient::abortAllCancels()
{
    HandServer silent(QList<QByteArray>{});
    QNetworkAccessManager network;
    ApiClient api(network, silent.url());
    QObject context;
    std::optional<ApiResult<QList<Sandbox>>> result;
    api.listSandboxes(&context, [&](ApiResult<QList<Sandbox>> r) { result.emplace(std::move(r)); });
    QTRY_VERIFY(silent.requests.contains("GET /api/sandboxes"));
    QCOMPARE(api.pendingCount(), 1);
    api.abortAll();
    QTRY_VERIFY(result.has_value());
    QCOMPARE(result->error().kind, ApiFailure::Kind::Cancelled);
    QCOMPARE(api.pendingCount(), 0);
}

void tst_ApiClient::destroyedContextGetsNoCallback()
{
    HandServer silent(QList<QByteArray>{});
    QNetworkAccessManager network;
    ApiClient api(network, silent.url());
    bool called = false;
    {
        QObject context;
        api.listSandboxes(&context, [&](ApiResult<QList<Sandbox>>) { called = true; });
        QTRY_VERIFY(silent.requests.contains("GET /api/sandboxes"));
    }
    api.abortAll();
    QTRY_COMPARE(api.pendingCount(), 0);
    QVERIFY(!called);
}

QTEST_GUILESS_MAIN(tst_ApiClient)
#include "tst_ApiClient.moc"
