#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include "DaemonProcess.h"
#include "TestHttp.h"

// The dashboard over real HTTP against the daemon binary: assets, the create form and its
// CSRF token, the htmx actions, fragments' revalidation, the demo. (What a browser shows is
// in tests/browser.)
class tst_Dashboard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void staticAssets_data();
    void staticAssets();
    void staticCaching();
    void staticPathsStayInside_data();
    void staticPathsStayInside();
    void staticOverride();
    void formNeedsItsToken();
    void formKeepsValuesOnError();
    void formCreates();
    void actionsNeedHtmx();
    void fragmentsRevalidate();
    void unknownSandbox();
    void demo();
    void renderTimesOverHttp();

private:
    struct Session
    {
        QByteArray cookie; // "csm_csrf=…"
        QString token;
    };
    Session openForm();
    HttpResult postForm(const Session &session, const QList<QPair<QString, QString>> &fields);
    QString createSandbox(const QString &name, const QString &backend);

    DaemonProcess m_daemon;
    TestHttp m_http;
};

void tst_Dashboard::initTestCase()
{
    QString error;
    QVERIFY2(m_daemon.start({}, &error), qPrintable(error));
}

void tst_Dashboard::cleanupTestCase()
{
    m_daemon.terminate();
}

void tst_Dashboard::staticAssets_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addRow("stylesheet") << "style.css" << 200 << QByteArray("text/css; charset=utf-8");
    QTest::addRow("script") << "dashboard.js" << 200
                            << QByteArray("text/javascript; charset=utf-8");
    QTest::addRow("icon") << "favicon.svg" << 200 << QByteArray("image/svg+xml");
    QTest::addRow("htmx") << "vendor/htmx/htmx.min.js" << 200
                          << QByteArray("text/javascript; charset=utf-8");
    QTest::addRow("xterm css") << "vendor/xterm/xterm.css" << 200
                               << QByteArray("text/css; charset=utf-8");
    QTest::addRow("uplot") << "vendor/uplot/uPlot.iife.min.js" << 200
                           << QByteArray("text/javascript; charset=utf-8");
    QTest::addRow("licence") << "vendor/xterm/LICENSE" << 200
                             << QByteArray("text/plain; charset=utf-8");
    QTest::addRow("vendor readme")
        << "vendor/README.md" << 200 << QByteArray("text/plain; charset=utf-8");
    QTest::addRow("unknown") << "nope.js" << 404 << QByteArray("application/json");
    QTest::addRow("templates are not assets")
        << "../templates/index.html" << 404 << QByteArray("application/json");
}

void tst_Dashboard::staticAssets()
{
    QFETCH(QString, path);
    QFETCH(int, status);
    QFETCH(QByteArray, contentType);
    const HttpResult result = m_http.get(m_daemon.url(QStringLiteral("/static/") + path));
    QCOMPARE(result.status, status);
    QCOMPARE(result.header("content-type"), contentType);
    if (status == 200) {
        QVERIFY(!result.body.isEmpty());
        QVERIFY(!result.header("etag").isEmpty());
    }
}

void tst_Dashboard::staticCaching()
{
    // The page links each asset with its version: that URL is cached for good, any other
    // is revalidated.
    const HttpResult page = m_http.get(m_daemon.url(QStringLiteral("/")));
    QCOMPARE(page.status, 200);
    const auto match = QRegularExpression(QStringLiteral("/static/style\\.css\\?v=([0-9a-f]{16})"))
                           .match(QString::fromUtf8(page.body));
    QVERIFY(match.hasMatch());
    const HttpResult versioned =
        m_http.get(m_daemon.url(QStringLiteral("/static/style.css?v=") + match.captured(1)));
    QCOMPARE(versioned.header("cache-control"), QByteArray("public, max-age=31536000, immutable"));
    const HttpResult plain = m_http.get(m_daemon.url(QStringLiteral("/static/style.css")));
    QCOMPARE(plain.header("cache-control"), QByteArray("no-cache"));
    const HttpResult again = m_http.get(m_daemon.url(QStringLiteral("/static/style.css")),
                                        {{"If-None-Match", plain.header("etag")}});
    QCOMPARE(again.status, 304);
    QVERIFY(again.body.isEmpty());
}

void tst_Dashboard::staticPathsStayInside_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addRow("dot dot") << QByteArray("/static/../../../../etc/passwd");
    QTest::addRow("encoded dot dot") << QByteArray("/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd");
    QTest::addRow("encoded slash") << QByteArray("/static/vendor%2f..%2f..%2f..%2fetc%2fpasswd");
    QTest::addRow("double slash") << QByteArray("/static//etc/passwd");
    QTest::addRow("hidden file") << QByteArray("/static/.htaccess");
    QTest::addRow("backslash") << QByteArray("/static/..%5c..%5cetc%5cpasswd");
    QTest::addRow("nul") << QByteArray("/static/style.css%00.js");
}

void tst_Dashboard::staticPathsStayInside()
{
    QFETCH(QByteArray, target);
    const QByteArray answer = TestHttp::raw(
        m_daemon.port(),
        "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    QVERIFY2(answer.startsWith("HTTP/1.1 4"), answer.left(200).constData());
    QVERIFY(!answer.contains("root:"));
}

void tst_Dashboard::staticOverride()
{
    QTemporaryDir overrides;
    QTemporaryDir outside;
    QFile css(overrides.filePath(QStringLiteral("style.css")));
    QVERIFY(css.open(QIODevice::WriteOnly));
    css.write("body { color: red } /* override */");
    css.close();
    QFile secret(outside.filePath(QStringLiteral("secret.txt")));
    QVERIFY(secret.open(QIODevice::WriteOnly));
    secret.write("do not serve");
    secret.close();
    QVERIFY(QFile::link(secret.fileName(), overrides.filePath(QStringLiteral("leak.txt"))));

    DaemonProcess daemon;
    DaemonProcess::Options options;
    options.environment.insert(QStringLiteral("MANAGER_STATIC_DIR"), overrides.path());
    QString error;
    QVERIFY2(daemon.start(options, &error), qPrintable(error));
    const HttpResult overridden = m_http.get(daemon.url(QStringLiteral("/static/style.css")));
    QCOMPARE(overridden.status, 200);
    QVERIFY(overridden.body.contains("override"));
    const HttpResult fallback = m_http.get(daemon.url(QStringLiteral("/static/dashboard.js")));
    QCOMPARE(fallback.status, 200);
    QVERIFY(fallback.body.contains("htmx:beforeSwap"));
    const HttpResult leak = m_http.get(daemon.url(QStringLiteral("/static/leak.txt")));
    QCOMPARE(leak.status, 404);
    QVERIFY(!leak.body.contains("do not serve"));
}

tst_Dashboard::Session tst_Dashboard::openForm()
{
    const HttpResult form = m_http.get(m_daemon.url(QStringLiteral("/new")));
    Session session;
    const QByteArray setCookie = form.header("set-cookie");
    session.cookie = setCookie.left(setCookie.indexOf(';'));
    const auto match = QRegularExpression(QStringLiteral("name=\"csrf_token\" value=\"([^\"]+)\""))
                           .match(QString::fromUtf8(form.body));
    session.token = match.captured(1);
    return session;
}

HttpResult tst_Dashboard::postForm(const Session &session,
                                   const QList<QPair<QString, QString>> &fields)
{
    QUrlQuery query;
    for (const auto &[name, value] : fields)
        query.addQueryItem(name, QString::fromLatin1(QUrl::toPercentEncoding(value)));
    QList<QPair<QByteArray, QByteArray>> headers{
        {"Content-Type", "application/x-www-form-urlencoded"}};
    if (!session.cookie.isEmpty())
        headers.append({"Cookie", session.cookie});
    return m_http.request("POST", m_daemon.url(QStringLiteral("/new")),
                          query.toString(QUrl::FullyEncoded).toUtf8(), headers);
}

QString tst_Dashboard::createSandbox(const QString &name, const QString &backend)
{
    const QJsonObject body{{QStringLiteral("name"), name},
                           {QStringLiteral("backend"), backend},
                           {QStringLiteral("project_dir"), m_daemon.projectDir()}};
    const HttpResult result = m_http.postJson(m_daemon.url(QStringLiteral("/api/sandboxes")),
                                              QJsonDocument(body).toJson());
    return result.status == 201 ? result.json().object().value(QStringLiteral("id")).toString()
                                : QString();
}

void tst_Dashboard::formNeedsItsToken()
{
    const Session session = openForm();
    QVERIFY(session.cookie.startsWith("csm_csrf="));
    QVERIFY(!session.token.isEmpty());
    const QList<QPair<QString, QString>> fields{
        {QStringLiteral("name"), QStringLiteral("forged")},
        {QStringLiteral("backend"), QStringLiteral("stub")},
        {QStringLiteral("project_dir"), m_daemon.projectDir()}};
    // No cookie; the cookie but no token; the token of another session.
    HttpResult result = postForm(
        {}, fields + QList<QPair<QString, QString>>{{QStringLiteral("csrf_token"), session.token}});
    QCOMPARE(result.status, 403);
    QVERIFY(result.body.contains("This form has expired"));
    QVERIFY(result.body.contains("value=\"forged\""));
    result = postForm(session, fields);
    QCOMPARE(result.status, 403);
    const Session other = openForm();
    result = postForm(session, fields + QList<QPair<QString, QString>>{
                                            {QStringLiteral("csrf_token"), other.token}});
    QCOMPARE(result.status, 403);
    // Not a form at all.
    result = m_http.request("POST", m_daemon.url(QStringLiteral("/new")), "name=x",
                            {{"Content-Type", "text/plain"}, {"Cookie", session.cookie}});
    QVERIFY(result.status == 415 || result.status == 403);
    const HttpResult list = m_http.get(m_daemon.url(QStringLiteral("/api/sandboxes")));
    QVERIFY(!list.body.contains("forged"));
}

void tst_Dashboard::formKeepsValuesOnError()
{
    const Session session = openForm();
    const HttpResult result =
        postForm(session, {{QStringLiteral("csrf_token"), session.token},
                           {QStringLiteral("name"), QStringLiteral("<b>kept</b>")},
                           {QStringLiteral("backend"), QStringLiteral("stub")},
                           {QStringLiteral("project_dir"), QStringLiteral("/nonexistent/dir")},
                           {QStringLiteral("network"), QStringLiteral("false")}});
    QCOMPARE(result.status, 422);
    QCOMPARE(result.header("content-type"), QByteArray("text/html; charset=utf-8"));
    QVERIFY(result.body.contains("id=\"project_dir-error\""));
    QVERIFY(result.body.contains("value=\"&lt;b&gt;kept&lt;/b&gt;\""));
    QVERIFY(result.body.contains("value=\"/nonexistent/dir\""));
    QVERIFY(result.body.contains("value=\"stub\" checked"));
    QVERIFY(!result.body.contains("<b>kept"));
}

void tst_Dashboard::formCreates()
{
    const Session session = openForm();
    const HttpResult result =
        postForm(session, {{QStringLiteral("csrf_token"), session.token},
                           {QStringLiteral("name"), QStringLiteral("from the form")},
                           {QStringLiteral("backend"), QStringLiteral("stub")},
                           {QStringLiteral("project_dir"), m_daemon.projectDir()},
                           {QStringLiteral("network"), QStringLiteral("false")},
                           {QStringLiteral("network"), QStringLiteral("true")}});
    QCOMPARE(result.status, 303);
    const QByteArray location = result.header("location");
    QVERIFY2(QRegularExpression(QStringLiteral("^/sandboxes/[0-9a-f-]{36}$"))
                 .match(QString::fromLatin1(location))
                 .hasMatch(),
             location.constData());
    const HttpResult sandbox =
        m_http.get(m_daemon.url(QStringLiteral("/api") + QString::fromLatin1(location)));
    QCOMPARE(sandbox.json().object().value(QStringLiteral("name")).toString(),
             QStringLiteral("from the form"));
    QCOMPARE(sandbox.json().object().value(QStringLiteral("network")).toBool(), true);
    const HttpResult page = m_http.get(m_daemon.url(QString::fromLatin1(location)));
    QCOMPARE(page.status, 200);
    QVERIFY(page.body.contains("<h1>from the form</h1>"));
}

void tst_Dashboard::actionsNeedHtmx()
{
    const QString id = createSandbox(QStringLiteral("actions"), QStringLiteral("stub"));
    QVERIFY(!id.isEmpty());
    const QUrl stop = m_daemon.url(QStringLiteral("/sandboxes/%1/stop").arg(id));
    // Without HX-Request (a program, or another site's form): refused.
    QCOMPARE(m_http.request("POST", stop).status, 403);
    QCOMPARE(m_http.get(m_daemon.url(QStringLiteral("/api/sandboxes/") + id))
                 .json()
                 .object()
                 .value(QStringLiteral("status"))
                 .toString(),
             QStringLiteral("running"));

    HttpResult result = m_http.request("POST", stop, {}, {{"HX-Request", "true"}});
    QCOMPARE(result.status, 200);
    QVERIFY(result.body.contains("badge-stopped"));
    QVERIFY(result.body.contains(QByteArray("hx-post=\"/sandboxes/" + id.toUtf8() + "/start\"")));
    result = m_http.request("POST", m_daemon.url(QStringLiteral("/sandboxes/%1/start").arg(id)), {},
                            {{"HX-Request", "true"}});
    QCOMPARE(result.status, 200);
    QVERIFY(result.body.contains("badge-running"));
    result = m_http.request("POST", m_daemon.url(QStringLiteral("/sandboxes/%1/start").arg(id)), {},
                            {{"HX-Request", "true"}});
    QCOMPARE(result.status, 409);
    QVERIFY(result.body.contains("class=\"alert\""));
    result = m_http.request("DELETE", m_daemon.url(QStringLiteral("/sandboxes/") + id), {},
                            {{"HX-Request", "true"}});
    QCOMPARE(result.status, 204);
    QCOMPARE(result.header("hx-redirect"), QByteArray("/"));
    QCOMPARE(m_http.get(m_daemon.url(QStringLiteral("/api/sandboxes/") + id)).status, 404);
}

void tst_Dashboard::fragmentsRevalidate()
{
    const QUrl list = m_daemon.url(QStringLiteral("/fragments/sandbox-list"));
    const HttpResult first = m_http.get(list);
    QCOMPARE(first.status, 200);
    QCOMPARE(first.header("cache-control"), QByteArray("no-cache"));
    const QByteArray etag = first.header("etag");
    QVERIFY(!etag.isEmpty());
    QCOMPARE(m_http.get(list, {{"If-None-Match", etag}}).status, 304);
    QVERIFY(!createSandbox(QStringLiteral("new card"), QStringLiteral("stub")).isEmpty());
    const HttpResult changed = m_http.get(list, {{"If-None-Match", etag}});
    QCOMPARE(changed.status, 200);
    QVERIFY(changed.body.contains("new card"));
    QVERIFY(changed.header("etag") != etag);
    QCOMPARE(m_http.get(m_daemon.url(QStringLiteral("/fragments/system-metrics"))).status, 200);
}

void tst_Dashboard::unknownSandbox()
{
    const HttpResult page = m_http.get(m_daemon.url(QStringLiteral("/sandboxes/nope")));
    QCOMPARE(page.status, 404);
    QCOMPARE(page.header("content-type"), QByteArray("text/html; charset=utf-8"));
    QVERIFY(page.body.contains("There is no sandbox nope"));
    for (const char *fragment : {"summary", "screenshot", "claude-metrics"}) {
        const HttpResult result = m_http.get(
            m_daemon.url(QStringLiteral("/fragments/sandboxes/nope/") + QLatin1String(fragment)));
        QCOMPARE(result.status, 404);
        QVERIFY(result.body.contains("class=\"alert\""));
    }
}

void tst_Dashboard::demo()
{
    const HttpResult result =
        m_http.request("POST", m_daemon.url(QStringLiteral("/demo")), {}, {{"HX-Request", "true"}});
    QCOMPARE(result.status, 204);
    const QByteArray location = result.header("hx-redirect");
    QVERIFY2(location.startsWith("/sandboxes/"), location.constData());
    const QJsonObject sandbox =
        m_http.get(m_daemon.url(QStringLiteral("/api") + QString::fromLatin1(location)))
            .json()
            .object();
    QCOMPARE(sandbox.value(QStringLiteral("name")).toString(), QStringLiteral("demo"));
    QCOMPARE(sandbox.value(QStringLiteral("backend")).toString(), QStringLiteral("demo"));
    QCOMPARE(sandbox.value(QStringLiteral("project_dir")).toString(),
             m_daemon.stateDir() + QStringLiteral("/demo"));
    QVERIFY(QFileInfo(m_daemon.stateDir() + QStringLiteral("/demo")).isDir());
}

void tst_Dashboard::renderTimesOverHttp()
{
    // Figures, not a pass/fail: each fragment's round trip with 50 sandboxes on the daemon.
    const int existing =
        int(m_http.get(m_daemon.url(QStringLiteral("/api/sandboxes"))).json().array().size());
    for (int i = existing; i < 50; ++i)
        QVERIFY(!createSandbox(QStringLiteral("bench-%1").arg(i), QStringLiteral("stub-headless"))
                     .isEmpty());
    const QString id = m_http.get(m_daemon.url(QStringLiteral("/api/sandboxes")))
                           .json()
                           .array()
                           .first()
                           .toObject()
                           .value(QStringLiteral("id"))
                           .toString();
    const QStringList paths{QStringLiteral("/fragments/sandbox-list"),
                            QStringLiteral("/fragments/system-metrics"),
                            QStringLiteral("/fragments/sandboxes/%1/claude-metrics").arg(id),
                            QStringLiteral("/fragments/sandboxes/%1/screenshot").arg(id),
                            QStringLiteral("/fragments/sandboxes/%1/summary").arg(id),
                            QStringLiteral("/"),
                            QStringLiteral("/sandboxes/") + id};
    for (const QString &path : paths) {
        constexpr int Rounds = 20;
        QCOMPARE(m_http.get(m_daemon.url(path)).status, 200); // warm up
        qint64 bytes = 0;
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < Rounds; ++i) {
            const HttpResult result = m_http.get(m_daemon.url(path));
            QCOMPARE(result.status, 200);
            bytes = result.body.size();
        }
        qInfo("GET %-60s with 50 sandboxes: %6.2f ms per request (round trip), %6lld bytes",
              qPrintable(path), double(timer.nsecsElapsed()) / Rounds / 1e6,
              static_cast<long long>(bytes));
    }
}

QTEST_GUILESS_MAIN(tst_Dashboard)
#include "tst_Dashboard.moc"
