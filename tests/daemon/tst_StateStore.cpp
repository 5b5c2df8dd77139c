#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "sandbox/StateStore.h"
#include "shared/JsonCodec.h"

class tst_StateStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyDirGivesEmptyState();
    void saveThenLoad();
    void savesKeepThePreviousGoodCopy();
    void corruptFileIsMovedAsideAndPreviousCopyUsed();
    void corruptWithoutPreviousStartsEmpty();
    void failedWriteIsReportedAndRetried();
    void manySavesCoalesce();

private:
    static ManagerState stateWith(int count);
    static void save(StateStore &store, const ManagerState &state,
                     std::optional<QString> *error = nullptr);
};

ManagerState tst_StateStore::stateWith(int count)
{
    ManagerState state;
    for (int i = 0; i < count; ++i) {
        Sandbox sandbox;
        sandbox.id = QStringLiteral("id-%1").arg(i);
        sandbox.name = QStringLiteral("n%1").arg(i);
        sandbox.backend = QStringLiteral("bwrap");
        sandbox.projectDir = QStringLiteral("/p");
        sandbox.status = SandboxStatus::Stopped;
        sandbox.createdAt = QDateTime(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC).addSecs(i);
        state.sandboxes.insert(sandbox.id, sandbox);
    }
    state.nextDisplay = 50 + count;
    return state;
}

void tst_StateStore::save(StateStore &store, const ManagerState &state,
                          std::optional<QString> *error)
{
    bool done = false;
    store.save(state, &store, [&](const std::optional<QString> &e) {
        if (error)
            *error = e;
        done = true;
    });
    QVERIFY(QTest::qWaitFor([&] { return done; }, 10000));
}

void tst_StateStore::emptyDirGivesEmptyState()
{
    QTemporaryDir dir;
    const auto loaded = StateStore::load(dir.path());
    QVERIFY(loaded);
    QVERIFY(loaded->state.sandboxes.isEmpty());
    QVERIFY(loaded->warnings.isEmpty());
}

void tst_StateStore::saveThenLoad()
{
    QTemporaryDir dir;
    {
        StateStore store(dir.path());
        save(store, stateWith(3));
    }
    const QFileInfo info(dir.path() + QStringLiteral("/state.json"));
    QVERIFY(info.exists());
    QCOMPARE(info.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());
    const auto loaded = StateStore::load(dir.path());
    QVERIFY(loaded);
    QCOMPARE(loaded->state, stateWith(3));
}

void tst_StateStore::savesKeepThePreviousGoodCopy()
{
    QTemporaryDir dir;
    StateStore store(dir.path());
    save(store, stateWith(1));
    save(store, stateWith(2));
    QFile prev(dir.path() + QStringLiteral("/state.json.prev"));
    QVERIFY(prev.open(QIODevice::ReadOnly));
    const auto previous = JsonCodec::stateFromJson(prev.readAll());
    QVERIFY(previous);
    QCOMPARE(previous->sandboxes.size(), 1);
}

void tst_StateStore::corruptFileIsMovedAsideAndPreviousCopyUsed()
{
    QTemporaryDir dir;
    {
        StateStore store(dir.path());
        save(store, stateWith(1));
        save(store, stateWith(2));
    }
    QFile state(dir.path() + QStringLiteral("/state.json"));
    QVERIFY(state.open(QIODevice::WriteOnly | QIODevice::Truncate));
    state.write("{\"sandboxes\": {\"half");
    state.close();

    const auto loaded = StateStore::load(dir.path());
    QVERIFY(loaded);
    QCOMPARE(loaded->state.sandboxes.size(), 1);
    QVERIFY(!loaded->warnings.isEmpty());
    const QStringList aside = QDir(dir.path()).entryList({QStringLiteral("state.json.corrupt-*")});
    QCOMPARE(aside.size(), 1);
    QFile kept(dir.path() + u'/' + aside.first());
    QVERIFY(kept.open(QIODevice::ReadOnly));
    QCOMPARE(kept.readAll(), QByteArray("{\"sandboxes\": {\"half")); // never overwritten
}

void tst_StateStore::corruptWithoutPreviousStartsEmpty()
{
    QTemporaryDir dir;
    QFile state(dir.path() + QStringLiteral("/state.json"));
    QVERIFY(state.open(QIODevice::WriteOnly));
    state.write("garbage");
    state.close();
    const auto loaded = StateStore::load(dir.path());
    QVERIFY(loaded);
    QVERIFY(loaded->state.sandboxes.isEmpty());
    QCOMPARE(QDir(dir.path()).entryList({QStringLiteral("state.json.corrupt-*")}).size(), 1);
}

void tst_StateStore::failedWriteIsReportedAndRetried()
{
    QTemporaryDir dir;
    const QString stateDir = dir.path() + QStringLiteral("/gone");
    StateStore store(stateDir); // the directory does not exist: every write fails
    std::optional<QString> error;
    save(store, stateWith(1), &error);
    QVERIFY(error);
    QVERIFY2(error->contains(stateDir), qPrintable(*error));
    QVERIFY(store.isDirty());
    QVERIFY(QDir().mkpath(stateDir));
    QTRY_VERIFY_WITH_TIMEOUT(!store.isDirty(), StateStore::RetryInterval.count() * 3);
    const auto loaded = StateStore::load(stateDir);
    QVERIFY(loaded);
    QCOMPARE(loaded->state.sandboxes.size(), 1);
}

void tst_StateStore::manySavesCoalesce()
{
    QTemporaryDir dir;
    StateStore store(dir.path());
    int answered = 0;
    for (int i = 1; i <= 50; ++i)
        store.save(stateWith(i), &store, [&](const std::optional<QString> &e) {
            QVERIFY(!e);
            ++answered;
        });
    QTRY_COMPARE_WITH_TIMEOUT(answered, 50, 10000);
    const auto loaded = StateStore::load(dir.path());
    QVERIFY(loaded);
    QCOMPARE(loaded->state.sandboxes.size(), 50);
}

QTEST_GUILESS_MAIN(tst_StateStore)
#include "tst_StateStore.moc"
