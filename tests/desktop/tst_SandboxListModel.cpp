#include <QAbstractItemModelTester>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

#include "DaemonProcess.h"
#include "HostConnection.h"
#include "SandboxFilterModel.h"
#include "SandboxListModel.h"
#include "TestHttp.h"
#include "shared/JsonCodec.h"

// The grid's model: merged by diffing, never reset; driven by recorded daemon answers and by
// the real daemon.
class tst_SandboxListModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordedAnswerLoads();
    void pollDiff_data();
    void pollDiff();
    void sameIdOnTwoHosts();
    void hostStateGreysItsRowsOnly();
    void filterAndGrouping_data();
    void filterAndGrouping();
    void liveDaemon();
};

static QList<Sandbox> fixture(const QString &name)
{
    QFile file(QStringLiteral(CSM_TEST_DATA "/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing test data %s", qPrintable(name));
    auto list = JsonCodec::sandboxListFromJson(file.readAll());
    if (!list)
        qFatal("bad test data %s: %s", qPrintable(name), qPrintable(list.error()));
    return *list;
}

static QStringList strings(std::initializer_list<const char *> items)
{
    QStringList result;
    for (const char *item : items)
        result.append(QString::fromUtf8(item));
    return result;
}

static QStringList names(const QAbstractItemModel &model)
{
    QStringList result;
    for (int row = 0; row < model.rowCount(); ++row)
        result.append(model.index(row, 0).data(SandboxListModel::NameRole).toString());
    return result;
}

void tst_SandboxListModel::recordedAnswerLoads()
{
    // recorded-daemon.json is GET /api/sandboxes of this project's daemon, as it answered.
    SandboxListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.updateHost(QStringLiteral("build"), fixture(QStringLiteral("recorded-daemon.json")));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(names(model), (QStringList{QStringLiteral("crashy"), QStringLiteral("api-server"),
                                        QStringLiteral("web-app")}));
    const QModelIndex dead = model.index(0);
    QCOMPARE(dead.data(SandboxListModel::StatusRole).toInt(), int(SandboxStatus::Dead));
    QCOMPARE(dead.data(SandboxListModel::ReasonRole).toString(),
             QStringLiteral("the backend exited with status 0"));
    QVERIFY(model.index(1).data(SandboxListModel::LastActivityRole).toDateTime().isValid());
    QCOMPARE(model.index(2).data(SandboxListModel::HostRole).toString(), QStringLiteral("build"));
}

void tst_SandboxListModel::pollDiff_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::addColumn<int>("inserted");
    QTest::addColumn<int>("removed");
    QTest::addColumn<QStringList>("changedNames");
    QTest::addColumn<QList<int>>("expectedRoles"); // present in every dataChanged
    QTest::addColumn<QList<int>>("absentRoles");   // in none
    QTest::addColumn<QStringList>("finalNames");

    const QStringList three{QStringLiteral("alpha"), QStringLiteral("beta"),
                            QStringLiteral("gamma")};
    QTest::addRow("first poll fills")
        << QStringLiteral("empty.json") << QStringLiteral("sandboxes-1.json") << 3 << 0
        << QStringList() << QList<int>() << QList<int>() << three;
    QTest::addRow("same answer changes nothing")
        << QStringLiteral("sandboxes-1.json") << QStringLiteral("sandboxes-1.json") << 0 << 0
        << QStringList() << QList<int>() << QList<int>() << three;
    QTest::addRow("activity only")
        << QStringLiteral("sandboxes-1.json") << QStringLiteral("sandboxes-1-activity.json") << 0
        << 0 << QStringList{QStringLiteral("alpha")}
        << QList<int>{SandboxListModel::LastActivityRole, SandboxListModel::SandboxRole}
        << QList<int>{SandboxListModel::StatusRole, SandboxListModel::NameRole, Qt::DisplayRole}
        << three;
    QTest::addRow("new, stopped and gone")
        << QStringLiteral("sandboxes-1.json") << QStringLiteral("sandboxes-2.json") << 1 << 1
        << QStringList{QStringLiteral("beta")}
        << QList<int>{SandboxListModel::StatusRole, SandboxListModel::ReasonRole}
        << QList<int>{SandboxListModel::NameRole}
        << QStringList{QStringLiteral("alpha"), QStringLiteral("beta"), QStringLiteral("delta")};
    QTest::addRow("host emptied") << QStringLiteral("sandboxes-2.json")
                                  << QStringLiteral("empty.json") << 0 << 3 << QStringList()
                                  << QList<int>() << QList<int>() << QStringList();
}

void tst_SandboxListModel::pollDiff()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    QFETCH(int, inserted);
    QFETCH(int, removed);
    QFETCH(QStringList, changedNames);
    QFETCH(QList<int>, expectedRoles);
    QFETCH(QList<int>, absentRoles);
    QFETCH(QStringList, finalNames);

    SandboxListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QString host = QStringLiteral("build");
    model.updateHost(host, fixture(before));

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy layouts(&model, &QAbstractItemModel::layoutChanged);
    QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removals(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
    model.updateHost(host, fixture(after));

    QCOMPARE(resets.size(), 0);
    QCOMPARE(layouts.size(), 0);
    int insertedRows = 0;
    for (const auto &args : inserts)
        insertedRows += args.at(2).toInt() - args.at(1).toInt() + 1;
    int removedRows = 0;
    for (const auto &args : removals)
        removedRows += args.at(2).toInt() - args.at(1).toInt() + 1;
    QCOMPARE(insertedRows, inserted);
    QCOMPARE(removedRows, removed);

    QStringList changed;
    for (const auto &args : changes) {
        const auto topLeft = args.at(0).value<QModelIndex>();
        const auto bottomRight = args.at(1).value<QModelIndex>();
        QCOMPARE(topLeft, bottomRight); // one row per change
        changed.append(topLeft.data(SandboxListModel::NameRole).toString());
        const auto roles = args.at(2).value<QList<int>>();
        for (const int role : expectedRoles)
            QVERIFY2(roles.contains(role), qPrintable(QString::number(role)));
        for (const int role : absentRoles)
            QVERIFY2(!roles.contains(role), qPrintable(QString::number(role)));
    }
    QCOMPARE(changed, changedNames);
    QStringList sorted = names(model);
    sorted.sort();
    QCOMPARE(sorted, finalNames);
}

void tst_SandboxListModel::sameIdOnTwoHosts()
{
    SandboxListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.updateHost(QStringLiteral("one"), fixture(QStringLiteral("sandboxes-1.json")));
    model.updateHost(QStringLiteral("two"), fixture(QStringLiteral("sandboxes-1.json")));
    QCOMPARE(model.rowCount(), 6);

    model.updateHost(QStringLiteral("two"), fixture(QStringLiteral("sandboxes-2.json")));
    QCOMPARE(model.rowCount(), 6); // two: gamma gone, delta new; one untouched
    const QString betaId = QStringLiteral("1d4e6a8b-2222-4b3c-8d4e-6f7a8b9c0d1e");
    QVERIFY(model.sandbox({QStringLiteral("one"), betaId})->status == SandboxStatus::Running);
    QVERIFY(model.sandbox({QStringLiteral("two"), betaId})->status == SandboxStatus::Stopped);

    model.removeHost(QStringLiteral("one"));
    QCOMPARE(model.rowCount(), 3);
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.index(row).data(SandboxListModel::HostRole).toString(),
                 QStringLiteral("two"));
    QVERIFY(!model.indexOf({QStringLiteral("one"), betaId}).isValid());
    QCOMPARE(model.indexOf({QStringLiteral("two"), betaId}).data(SandboxListModel::NameRole),
             QVariant(QStringLiteral("beta")));
}

void tst_SandboxListModel::hostStateGreysItsRowsOnly()
{
    SandboxListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.updateHost(QStringLiteral("one"), fixture(QStringLiteral("sandboxes-1.json")));
    model.updateHost(QStringLiteral("two"), fixture(QStringLiteral("sandboxes-2.json")));
    QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);

    model.setHostState(QStringLiteral("two"), false,
                       QStringLiteral("unreachable: Connection refused"));
    QCOMPARE(changes.size(), 1);
    QVERIFY(changes.at(0).at(2).value<QList<int>>().contains(SandboxListModel::HostUpRole));
    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex index = model.index(row);
        const bool two = index.data(SandboxListModel::HostRole).toString() == u"two";
        QCOMPARE(index.data(SandboxListModel::HostUpRole).toBool(), !two);
        QCOMPARE(index.data(SandboxListModel::HostReasonRole).toString(),
                 two ? QStringLiteral("unreachable: Connection refused") : QString());
    }
    // The rows stay (greyed) while the host is away.
    QCOMPARE(model.rowCount(), 6);
    model.setHostState(QStringLiteral("two"), false,
                       QStringLiteral("unreachable: Connection refused"));
    QCOMPARE(changes.size(), 1); // nothing new, no signal
}

void tst_SandboxListModel::filterAndGrouping_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("status"); // -1: any
    QTest::addColumn<QString>("search");
    QTest::addColumn<int>("grouping");
    QTest::addColumn<QStringList>("expected"); // "host/name" in view order

    const int byHost = int(SandboxFilterModel::Grouping::Host);
    const int byStatus = int(SandboxFilterModel::Grouping::Status);
    const int byName = int(SandboxFilterModel::Grouping::None);
    QTest::addRow("all, grouped by host")
        << QString() << -1 << QString() << byHost
        << strings({"one/alpha", "one/beta", "one/gamma", "two/alpha", "two/beta", "two/delta"});
    QTest::addRow("all, by name") << QString() << -1 << QString() << byName
                                  << strings({"one/alpha", "two/alpha", "one/beta", "two/beta",
                                              "two/delta", "one/gamma"});
    QTest::addRow("grouped by status")
        << QString() << -1 << QString() << byStatus
        << strings({"one/alpha", "two/alpha", "one/beta", "two/delta", "two/beta", "one/gamma"});
    QTest::addRow("one host") << QStringLiteral("two") << -1 << QString() << byHost
                              << strings({"two/alpha", "two/beta", "two/delta"});
    QTest::addRow("running only") << QString() << int(SandboxStatus::Running) << QString() << byHost
                                  << strings({"one/alpha", "one/beta", "two/alpha", "two/delta"});
    QTest::addRow("search by project dir, any case") << QString() << -1 << QStringLiteral("DEV/BET")
                                                     << byHost << strings({"one/beta", "two/beta"});
    QTest::addRow("search by id prefix")
        << QString() << -1 << QStringLiteral("3f6a8c0d") << byHost << strings({"two/delta"});
    QTest::addRow("every word must match")
        << QString() << -1 << QStringLiteral("alpha two") << byHost << strings({"two/alpha"});
    QTest::addRow("host and status and search")
        << QStringLiteral("one") << int(SandboxStatus::Dead) << QStringLiteral("gam") << byHost
        << strings({"one/gamma"});
    QTest::addRow("nothing matches")
        << QString() << -1 << QStringLiteral("zzz") << byHost << QStringList();
}

void tst_SandboxListModel::filterAndGrouping()
{
    QFETCH(QString, host);
    QFETCH(int, status);
    QFETCH(QString, search);
    QFETCH(int, grouping);
    QFETCH(QStringList, expected);

    SandboxListModel model;
    SandboxFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(&filter,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.updateHost(QStringLiteral("one"), fixture(QStringLiteral("sandboxes-1.json")));
    model.updateHost(QStringLiteral("two"), fixture(QStringLiteral("sandboxes-2.json")));

    filter.setGrouping(static_cast<SandboxFilterModel::Grouping>(grouping));
    filter.setHostFilter(host);
    filter.setStatusFilter(status < 0 ? std::nullopt
                                      : std::optional(static_cast<SandboxStatus>(status)));
    filter.setSearchText(search);

    QStringList shown;
    for (int row = 0; row < filter.rowCount(); ++row) {
        const QModelIndex index = filter.index(row, 0);
        shown.append(index.data(SandboxListModel::HostRole).toString() + u'/' +
                     index.data(SandboxListModel::NameRole).toString());
    }
    QCOMPARE(shown, expected);
}

void tst_SandboxListModel::liveDaemon()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    QNetworkAccessManager network;
    HostConnection host(HostSettings{QStringLiteral("local"), {}, {}, 3000, daemon.url(), {}, {}},
                        network);
    SandboxListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    connect(&host, &HostConnection::sandboxesUpdated, &model,
            [&](const QList<Sandbox> &list) { model.updateHost(host.name(), list); });
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    host.start();
    QTRY_COMPARE_WITH_TIMEOUT(host.state(), HostConnection::State::Connected, 10000);
    QCOMPARE(model.rowCount(), 0);

    TestHttp http;
    QStringList ids;
    for (const QString &name : {QStringLiteral("first"), QStringLiteral("second")}) {
        const HttpResult created =
            http.createSandbox(daemon.url(), name, QStringLiteral("stub"), daemon.projectDir());
        QCOMPARE(created.status, 201);
        ids.append(created.json().object().value(QStringLiteral("id")).toString());
    }
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 2, 10000);
    const SandboxKey first{QStringLiteral("local"), ids.at(0)};
    QCOMPARE(model.indexOf(first).data(SandboxListModel::StatusRole).toInt(),
             int(SandboxStatus::Running));

    QCOMPARE(
        http.request("POST", daemon.url(QStringLiteral("/api/sandboxes/%1/stop").arg(ids.at(0))))
            .status,
        204);
    QTRY_COMPARE_WITH_TIMEOUT(model.indexOf(first).data(SandboxListModel::StatusRole).toInt(),
                              int(SandboxStatus::Stopped), 10000);

    QCOMPARE(
        http.request("DELETE", daemon.url(QStringLiteral("/api/sandboxes/") + ids.at(1))).status,
        204);
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1, 10000);
    QVERIFY(!model.indexOf({QStringLiteral("local"), ids.at(1)}).isValid());
    QCOMPARE(resets.size(), 0);

    // The daemon goes away: the rows stay, the host says why.
    daemon.kill9();
    QTRY_COMPARE_WITH_TIMEOUT(host.state(), HostConnection::State::DaemonNotRunning, 10000);
    QCOMPARE(model.rowCount(), 1);
}

QTEST_GUILESS_MAIN(tst_SandboxListModel)
#include "tst_SandboxListModel.moc"
