#include <QTest>

#include "http/HttpRouter.h"

class tst_HttpRouter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void match_data();
    void match();
};

void tst_HttpRouter::match_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("route"); // the pattern that matched; empty: none
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArrayList>("allowed");
    QTest::addRow("list") << QByteArray("GET") << QStringLiteral("/api/sandboxes")
                          << QStringLiteral("/api/sandboxes") << QStringList{} << QByteArrayList{};
    QTest::addRow("trailing slash")
        << QByteArray("GET") << QStringLiteral("/api/sandboxes/")
        << QStringLiteral("/api/sandboxes") << QStringList{} << QByteArrayList{};
    QTest::addRow("create") << QByteArray("POST") << QStringLiteral("/api/sandboxes")
                            << QStringLiteral("/api/sandboxes") << QStringList{}
                            << QByteArrayList{};
    QTest::addRow("one") << QByteArray("GET") << QStringLiteral("/api/sandboxes/abc")
                         << QStringLiteral("/api/sandboxes/{id}")
                         << QStringList{QStringLiteral("abc")} << QByteArrayList{};
    QTest::addRow("stop") << QByteArray("POST") << QStringLiteral("/api/sandboxes/abc/stop")
                          << QStringLiteral("/api/sandboxes/{id}/stop")
                          << QStringList{QStringLiteral("abc")} << QByteArrayList{};
    QTest::addRow("wrong method") << QByteArray("GET") << QStringLiteral("/api/sandboxes/abc/stop")
                                  << QString() << QStringList{} << QByteArrayList{"POST"};
    QTest::addRow("head falls back to get")
        << QByteArray("HEAD") << QStringLiteral("/api/sandboxes")
        << QStringLiteral("/api/sandboxes") << QStringList{} << QByteArrayList{};
    QTest::addRow("static rest") << QByteArray("GET") << QStringLiteral("/static/vendor/x/y.js")
                                 << QStringLiteral("/static/{*path}")
                                 << QStringList{QStringLiteral("vendor/x/y.js")}
                                 << QByteArrayList{};
    QTest::addRow("static needs a path") << QByteArray("GET") << QStringLiteral("/static")
                                         << QString() << QStringList{} << QByteArrayList{};
    QTest::addRow("unknown") << QByteArray("GET") << QStringLiteral("/nope") << QString()
                             << QStringList{} << QByteArrayList{};
    QTest::addRow("too long") << QByteArray("GET") << QStringLiteral("/api/sandboxes/abc/stop/x")
                              << QString() << QStringList{} << QByteArrayList{};
}

void tst_HttpRouter::match()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QString, route);
    QFETCH(QStringList, args);
    QFETCH(QByteArrayList, allowed);
    HttpRouter router;
    const auto handler = [](const HttpRequest &, const HttpReply &) {};
    router.add("GET", QStringLiteral("/api/sandboxes"), handler);
    router.add("POST", QStringLiteral("/api/sandboxes"), handler);
    router.add("GET", QStringLiteral("/api/sandboxes/{id}"), handler);
    router.add("DELETE", QStringLiteral("/api/sandboxes/{id}"), handler);
    router.add("POST", QStringLiteral("/api/sandboxes/{id}/stop"), handler);
    router.add("GET", QStringLiteral("/static/{*path}"), handler);

    const HttpRouter::Match match = router.match(method, path);
    QCOMPARE(match.allowedMethods, allowed);
    QCOMPARE(match.handler != nullptr, !route.isEmpty());
    QCOMPARE(match.pattern, route);
    QCOMPARE(match.args, args);
}

QTEST_GUILESS_MAIN(tst_HttpRouter)
#include "tst_HttpRouter.moc"
