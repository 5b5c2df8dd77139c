#include <QTest>

#include "sandbox/BackendCatalog.h"

class tst_BackendCatalog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void builtinsKeepReferenceBackends();
    void bwrapTurnsNetworkOff();
    void mergeAddsReplacesAndRemoves();
    void mergeRejects_data();
    void mergeRejects();
    void expand_data();
    void expand();
};

static BackendCatalog builtins()
{
    return BackendCatalog::builtin(
        {{QStringLiteral("claude")}, QStringLiteral("/usr/libexec/demo")});
}

void tst_BackendCatalog::builtinsKeepReferenceBackends()
{
    const BackendCatalog catalog = builtins();
    const BackendSpec *bubblewrap = catalog.find(QStringLiteral("bubblewrap"));
    QVERIFY(bubblewrap);
    QCOMPARE(bubblewrap->command,
             QStringList({QStringLiteral("claude-sandbox"), QStringLiteral("{project_dir}")}));
    QVERIFY(bubblewrap->display == DisplayKind::Xvfb);
    QVERIFY(!bubblewrap->supportsNoNetwork());
    const BackendSpec *container = catalog.find(QStringLiteral("container"));
    QVERIFY(container);
    QCOMPARE(container->command.first(), QStringLiteral("sudo"));
    const BackendSpec *vm = catalog.find(QStringLiteral("vm"));
    QVERIFY(vm);
    QVERIFY(vm->display == DisplayKind::Qmp);
    QVERIFY(catalog.find(QStringLiteral("demo")));
    QVERIFY(!catalog.find(QStringLiteral("nope")));
}

void tst_BackendCatalog::bwrapTurnsNetworkOff()
{
    const BackendSpec *bwrap = builtins().find(QStringLiteral("bwrap"));
    QVERIFY(bwrap);
    QVERIFY(bwrap->supportsNoNetwork());
    QVERIFY(!bwrap->command.contains(QStringLiteral("--unshare-net")));
    QVERIFY(bwrap->commandNoNetwork.contains(QStringLiteral("--unshare-net")));
    QCOMPARE(bwrap->command.last(), QStringLiteral("claude"));
    // The project is bound writable; the rest of the system read-only.
    const qsizetype bind = bwrap->command.indexOf(QStringLiteral("--bind"));
    QVERIFY(bind > 0);
    QCOMPARE(bwrap->command.at(bind + 1), QStringLiteral("{project_dir}"));
    QVERIFY(bwrap->command.contains(QStringLiteral("--ro-bind")));
}

void tst_BackendCatalog::mergeAddsReplacesAndRemoves()
{
    BackendCatalog catalog = builtins();
    const auto error = catalog.merge(R"({"backends": {
        "mine": {"description": "d", "command": ["/bin/agent", "--dir", "{project_dir}"],
                 "command_no_network": ["/bin/agent", "--offline"], "display": "none"},
        "bubblewrap": {"command": ["/opt/wrapper", "{project_dir}"]},
        "container": null}})");
    QVERIFY2(!error, qPrintable(error.value_or(QString())));
    const BackendSpec *mine = catalog.find(QStringLiteral("mine"));
    QVERIFY(mine);
    QVERIFY(mine->display == DisplayKind::None);
    QVERIFY(mine->supportsNoNetwork());
    QCOMPARE(mine->description, QStringLiteral("d"));
    QCOMPARE(catalog.find(QStringLiteral("bubblewrap"))->command.first(),
             QStringLiteral("/opt/wrapper"));
    QVERIFY(catalog.find(QStringLiteral("bubblewrap"))->display == DisplayKind::Xvfb);
    QVERIFY(!catalog.find(QStringLiteral("container")));
    QVERIFY(catalog.find(QStringLiteral("vm")));
}

void tst_BackendCatalog::mergeRejects_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("mention");
    QTest::addRow("not json") << QByteArray("{") << QStringLiteral("not JSON");
    QTest::addRow("no backends") << QByteArray("{}") << QStringLiteral("backends");
    QTest::addRow("string command")
        << QByteArray(R"({"backends": {"x": {"command": "agent {project_dir}"}}})")
        << QStringLiteral("array");
    QTest::addRow("empty command")
        << QByteArray(R"({"backends": {"x": {"command": []}}})") << QStringLiteral("array");
    QTest::addRow("unknown placeholder")
        << QByteArray(R"({"backends": {"x": {"command": ["a", "{projectdir}"]}}})")
        << QStringLiteral("{projectdir}");
    QTest::addRow("bad display")
        << QByteArray(R"({"backends": {"x": {"command": ["a"], "display": "x11"}}})")
        << QStringLiteral("display");
    QTest::addRow("bad name") << QByteArray(R"({"backends": {"a b": {"command": ["a"]}}})")
                              << QStringLiteral("names");
    QTest::addRow("number arg") << QByteArray(R"({"backends": {"x": {"command": ["a", 1]}}})")
                                << QStringLiteral("string");
}

void tst_BackendCatalog::mergeRejects()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, mention);
    BackendCatalog catalog = builtins();
    const auto error = catalog.merge(json);
    QVERIFY(error);
    QVERIFY2(error->contains(mention), qPrintable(*error));
    QVERIFY(catalog.find(QStringLiteral("bubblewrap"))); // a refused file changes nothing
}

void tst_BackendCatalog::expand_data()
{
    QTest::addColumn<QStringList>("argvTemplate");
    QTest::addColumn<QStringList>("expected");
    QTest::addRow("whole") << QStringList{QStringLiteral("a"), QStringLiteral("{project_dir}")}
                           << QStringList{QStringLiteral("a"), QStringLiteral("/p $(x); `y` {id}")};
    QTest::addRow("inside") << QStringList{QStringLiteral("--dir={project_dir}"),
                                           QStringLiteral("{display}")}
                            << QStringList{QStringLiteral("--dir=/p $(x); `y` {id}"),
                                           QStringLiteral(":50")};
    QTest::addRow("several") << QStringList{QStringLiteral("{short_id}-{name}")}
                             << QStringList{QStringLiteral("abcd1234-n;m")};
    QTest::addRow("literal braces") << QStringList{QStringLiteral("{}"), QStringLiteral("{Upper}")}
                                    << QStringList{QStringLiteral("{}"), QStringLiteral("{Upper}")};
}

void tst_BackendCatalog::expand()
{
    QFETCH(QStringList, argvTemplate);
    QFETCH(QStringList, expected);
    BackendVars vars;
    vars.projectDir = QStringLiteral("/p $(x); `y` {id}"); // a value is never expanded again
    vars.id = QStringLiteral("abcd1234-0000");
    vars.shortId = QStringLiteral("abcd1234");
    vars.name = QStringLiteral("n;m");
    vars.display = QStringLiteral(":50");
    QCOMPARE(BackendCatalog::expand(argvTemplate, vars), expected);
}

QTEST_GUILESS_MAIN(tst_BackendCatalog)
#include "tst_BackendCatalog.moc"
