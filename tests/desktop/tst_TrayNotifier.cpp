#include <QSignalSpy>
#include <QTest>

#include "SandboxListModel.h"
#include "TrayNotifier.h"

// What the user is told without looking: a sandbox that died, an agent that went quiet.
class tst_TrayNotifier : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void agentGoingQuietIsNotifiedOnce();
    void deathIsNotified();
    void nothingFromAHostThatIsAway();
};

namespace {

const QDateTime T0(QDate(2025, 6, 1), QTime(9, 0), Qt::UTC);

Sandbox sandbox(const QString &id, SandboxStatus status, const QDateTime &lastActivity)
{
    Sandbox s;
    s.id = id;
    s.name = QStringLiteral("agent-") + id;
    s.backend = QStringLiteral("bubblewrap");
    s.projectDir = QStringLiteral("/home/dev/") + id;
    s.status = status;
    s.createdAt = T0.addSecs(-3600);
    s.startedAt = s.createdAt;
    s.lastActivityAt = lastActivity;
    s.tmuxSession = QStringLiteral("sandbox-") + id;
    return s;
}

} // namespace

void tst_TrayNotifier::agentGoingQuietIsNotifiedOnce()
{
    SandboxListModel model;
    TrayNotifier notifier(model);
    QSignalSpy notified(&notifier, &TrayNotifier::notified);
    model.updateHost(QStringLiteral("build"),
                     {sandbox(QStringLiteral("a"), SandboxStatus::Running, T0),
                      sandbox(QStringLiteral("b"), SandboxStatus::Running, T0.addSecs(-600))});

    notifier.check(T0.addSecs(5)); // first sight: a is working, b has been idle for long
    QCOMPARE(notified.size(), 0);
    QCOMPARE(notifier.counts().active, 1);
    QCOMPARE(notifier.counts().idle, 1);

    notifier.check(T0.addSecs(60)); // a went quiet
    QCOMPARE(notified.size(), 1);
    QCOMPARE(notified.at(0).at(0).toString(), QStringLiteral("agent-a is idle"));
    QVERIFY(notified.at(0).at(1).toString().contains(QLatin1StringView("waits for input")));
    QCOMPARE(notifier.counts().idle, 2);

    notifier.check(T0.addSecs(120));
    QCOMPARE(notified.size(), 1); // once

    // Works again, then quiet again: told again.
    model.updateHost(QStringLiteral("build"),
                     {sandbox(QStringLiteral("a"), SandboxStatus::Running, T0.addSecs(200)),
                      sandbox(QStringLiteral("b"), SandboxStatus::Running, T0.addSecs(-600))});
    notifier.check(T0.addSecs(201));
    notifier.check(T0.addSecs(300));
    QCOMPARE(notified.size(), 2);
    QVERIFY(notifier.summary().startsWith(QLatin1StringView("2 running (0 active, 2 idle)")));
}

void tst_TrayNotifier::deathIsNotified()
{
    SandboxListModel model;
    TrayNotifier notifier(model);
    QSignalSpy notified(&notifier, &TrayNotifier::notified);
    model.updateHost(QStringLiteral("build"),
                     {sandbox(QStringLiteral("a"), SandboxStatus::Running, T0.addSecs(-600)),
                      sandbox(QStringLiteral("b"), SandboxStatus::Running, T0.addSecs(-600))});
    notifier.check(T0);
    Sandbox dead = sandbox(QStringLiteral("a"), SandboxStatus::Dead, T0.addSecs(-600));
    dead.reason = QStringLiteral("tmux session ended");
    Sandbox stopped = sandbox(QStringLiteral("b"), SandboxStatus::Stopped, T0.addSecs(-600));
    model.updateHost(QStringLiteral("build"), {dead, stopped});
    notifier.check(T0.addSecs(2));
    QCOMPARE(notified.size(), 1); // a stop asked for by the user is not news
    QCOMPARE(notified.at(0).at(0).toString(), QStringLiteral("agent-a died"));
    QCOMPARE(notified.at(0).at(1).toString(), QStringLiteral("on build: dead: tmux session ended"));
    QCOMPARE(notifier.counts().dead, 1);
    QCOMPARE(notifier.counts().stopped, 1);
}

void tst_TrayNotifier::nothingFromAHostThatIsAway()
{
    SandboxListModel model;
    TrayNotifier notifier(model);
    QSignalSpy notified(&notifier, &TrayNotifier::notified);
    model.updateHost(QStringLiteral("build"),
                     {sandbox(QStringLiteral("a"), SandboxStatus::Running, T0)});
    notifier.check(T0.addSecs(1));
    model.setHostState(QStringLiteral("build"), false, QStringLiteral("unreachable"));
    notifier.check(T0.addSecs(120)); // its last known activity is old news, not an idle agent
    QCOMPARE(notified.size(), 0);
    QCOMPARE(notifier.counts().unreachable, 1);
}

QTEST_GUILESS_MAIN(tst_TrayNotifier)
#include "tst_TrayNotifier.moc"
