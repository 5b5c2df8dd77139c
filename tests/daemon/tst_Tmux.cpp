#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "sandbox/Tmux.h"
#include "sys/ProcessInfo.h"

// Unit tests of the argument building and parsing, then the same arguments run by a real
// tmux server (isolated with TMUX_TMPDIR) with hostile data.
class tst_Tmux : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void escapeArgument_data();
    void escapeArgument();
    void parsePanes();
    void parsePanesRejectsGarbage();
    void realSessionGetsArgumentsIntact_data();
    void realSessionGetsArgumentsIntact();
    void listPanesSeesDeadPaneAndExitStatus();
    void killMissingSessionIsNotAnError();
    void zombieWaitStatus();

private:
    QByteArray runTmux(const QStringList &args);
    QTemporaryDir m_dir;
};

void tst_Tmux::initTestCase()
{
    qputenv("TMUX_TMPDIR", QFile::encodeName(m_dir.path()));
    qunsetenv("TMUX");
}

void tst_Tmux::cleanupTestCase()
{
    runTmux({QStringLiteral("kill-server")});
}

QByteArray tst_Tmux::runTmux(const QStringList &args)
{
    QProcess process;
    process.start(QStringLiteral("tmux"), args);
    process.waitForFinished(10000);
    return process.readAllStandardOutput();
}

void tst_Tmux::escapeArgument_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::addRow("plain") << QStringLiteral("abc") << QStringLiteral("abc");
    QTest::addRow("trailing semicolon") << QStringLiteral("a;") << QStringLiteral("a\\;");
    QTest::addRow("inner semicolon") << QStringLiteral("a;b") << QStringLiteral("a;b");
    QTest::addRow("already escaped") << QStringLiteral("a\\;") << QStringLiteral("a\\\\;");
    QTest::addRow("lone semicolon") << QStringLiteral(";") << QStringLiteral("\\;");
}

void tst_Tmux::escapeArgument()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(Tmux::escapeArgument(input), expected);
}

void tst_Tmux::parsePanes()
{
    const auto panes = Tmux::parsePanes("sandbox-a\t1700000000\t0\t\t\t123\t/var/lib/x\n"
                                        "sandbox-b\t1700000001\t1\t3\t\t456\t\n"
                                        "sandbox-a\t1700000000\t0\t\t\t124\t/var/lib/x\n"
                                        "user\t1700000002\t0\t\t\t789\tweird\tvalue\n"
                                        "killed\t1700000003\t1\t\t9\t790\t\n");
    QVERIFY(panes);
    QCOMPARE(panes->size(), 4);
    QCOMPARE(panes->at(0).session, QStringLiteral("sandbox-a"));
    QCOMPARE(panes->at(0).activity, 1700000000);
    QVERIFY(!panes->at(0).dead);
    QCOMPARE(panes->at(0).panePid, 123);
    QCOMPARE(panes->at(0).owner, QStringLiteral("/var/lib/x"));
    QVERIFY(panes->at(1).dead);
    QCOMPARE(panes->at(1).deadStatus, 3);
    QCOMPARE(panes->at(2).owner, QStringLiteral("weird\tvalue"));
    QVERIFY(panes->at(3).dead);
    QCOMPARE(panes->at(3).deadSignal, 9);
    QVERIFY(Tmux::parsePanes(""));
    QCOMPARE(Tmux::parsePanes("")->size(), 0);
}

void tst_Tmux::parsePanesRejectsGarbage()
{
    QVERIFY(!Tmux::parsePanes("no tabs here\n"));
    QVERIFY(!Tmux::parsePanes("s\tnot-a-number\t0\t\t\t1\t\n"));
    QVERIFY(!Tmux::parsePanes("s\t1\t0\t\t1\t\n")); // a field short
}

void tst_Tmux::realSessionGetsArgumentsIntact_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("dirName");
    QTest::addRow("plain") << QStringLiteral("plain") << QStringLiteral("project");
    QTest::addRow("semicolons") << QStringLiteral("a;") << QStringLiteral("dir;");
    QTest::addRow("shell") << QStringLiteral("$(touch pwned) `id` 'q' \"d\"")
                           << QStringLiteral("d $x 'q'");
    QTest::addRow("tmux formats") << QStringLiteral("#{session_name} ##")
                                  << QStringLiteral("#{pane_id}#");
    QTest::addRow("braces") << QStringLiteral("{ } \\") << QStringLiteral("{a} \\b");
}

void tst_Tmux::realSessionGetsArgumentsIntact()
{
    QFETCH(QString, name);
    QFETCH(QString, dirName);
    static int counter = 0;
    const QString dir = m_dir.path() + u'/' + dirName;
    QVERIFY(QDir().mkpath(dir));
    const QString log = m_dir.path() + QStringLiteral("/log %1 'x';").arg(++counter);
    TmuxSessionSpec spec;
    spec.name = QStringLiteral("test-%1").arg(counter);
    spec.workingDir = dir;
    spec.environment.insert(QStringLiteral("SANDBOX_NAME"), name);
    spec.command = {QStringLiteral(CSM_STUB_BACKEND), dir, name};
    spec.logPath = log;
    spec.owner = m_dir.path();

    Tmux tmux;
    std::optional<ToolResult> result;
    tmux.startSession(spec, this, [&](const ToolResult &r) { result = r; });
    QTRY_VERIFY_WITH_TIMEOUT(result, 10000);
    QVERIFY2(result->ok(), qPrintable(result->failure));

    // The very first line the backend prints is in the log.
    QByteArray text;
    QTRY_VERIFY_WITH_TIMEOUT((text =
                                  [&] {
                                      QFile f(log);
                                      f.open(QIODevice::ReadOnly);
                                      return f.readAll();
                                  }())
                                 .contains("green stub line"),
                             10000);
    QVERIFY2(text.startsWith("stub backend started:"), text.constData());
    QVERIFY2(text.contains("argc=2"), text.constData());
    QVERIFY2(text.contains(QByteArray("arg=[" + dir.toUtf8() + "]")), text.constData());
    QVERIFY2(text.contains(QByteArray("arg=[" + name.toUtf8() + "]")), text.constData());
    QVERIFY2(text.contains(QByteArray("pwd=[" + dir.toUtf8() + "]")), text.constData());
    QVERIFY2(text.contains(QByteArray("SANDBOX_NAME=[" + name.toUtf8() + "]")), text.constData());
    QVERIFY(!QFile::exists(dir + QStringLiteral("/pwned")));
    QVERIFY(!QFile::exists(QDir::currentPath() + QStringLiteral("/pwned")));
}

void tst_Tmux::listPanesSeesDeadPaneAndExitStatus()
{
    TmuxSessionSpec spec;
    spec.name = QStringLiteral("exits");
    spec.workingDir = m_dir.path();
    spec.command = {QStringLiteral(CSM_STUB_BACKEND), QStringLiteral("--exit"),
                    QStringLiteral("7")};
    spec.logPath = m_dir.path() + QStringLiteral("/exits.log");
    spec.owner = QStringLiteral("owner-tag");
    Tmux tmux;
    bool started = false;
    tmux.startSession(spec, this, [&](const ToolResult &r) { started = r.ok(); });
    QTRY_VERIFY(started);

    std::optional<QList<TmuxPane>> panes;
    const auto exitedPaneListed = [&] {
        bool finished = false;
        tmux.listPanes(this, [&](std::optional<QList<TmuxPane>> p, const QString &) {
            panes = p;
            finished = true;
        });
        if (!QTest::qWaitFor([&] { return finished; }, 10000) || !panes)
            return false;
        return std::any_of(panes->cbegin(), panes->cend(), [](const TmuxPane &pane) {
            return pane.session == u"exits" && pane.dead && pane.exitKnown;
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(exitedPaneListed(), 10000);
    for (const TmuxPane &pane : *panes) {
        if (pane.session == u"exits") {
            QCOMPARE(pane.deadStatus, 7);
            QCOMPARE(pane.owner, QStringLiteral("owner-tag"));
            QVERIFY(pane.activity > 0);
        }
    }
}

void tst_Tmux::killMissingSessionIsNotAnError()
{
    Tmux tmux;
    std::optional<ToolResult> result;
    tmux.killSession(QStringLiteral("no-such-session"), this,
                     [&](const ToolResult &r) { result = r; });
    QTRY_VERIFY(result);
    QVERIFY2(result->ok(), qPrintable(result->failure));
}

// What the liveness check reads when tmux leaves a pane's process unreaped: the wait status
// of a zombie, and nothing for a live process.
void tst_Tmux::zombieWaitStatus()
{
    QVERIFY(!ProcessInfo::zombieWaitStatus(::getpid()));
    QVERIFY(!ProcessInfo::zombieWaitStatus(0));
    const auto zombie = [](auto body) {
        const pid_t child = ::fork();
        if (child == 0)
            body();
        // Not reaped: it stays a zombie until waitpid below.
        QDeadlineTimer deadline(5000);
        std::optional<int> status;
        while (!(status = ProcessInfo::zombieWaitStatus(child)) && !deadline.hasExpired())
            QTest::qSleep(10);
        int reaped = 0;
        ::waitpid(child, &reaped, 0);
        return std::pair(status, reaped);
    };
    const auto [exited, exitedReaped] = zombie([] { ::_exit(3); });
    QVERIFY(exited);
    QCOMPARE(*exited, exitedReaped);
    QVERIFY(WIFEXITED(*exited));
    QCOMPARE(WEXITSTATUS(*exited), 3);
    const auto [killed, killedReaped] = zombie([] {
        ::raise(SIGKILL);
        ::_exit(0);
    });
    QVERIFY(killed);
    QCOMPARE(*killed, killedReaped);
    QVERIFY(WIFSIGNALED(*killed));
    QCOMPARE(WTERMSIG(*killed), SIGKILL);
}

QTEST_GUILESS_MAIN(tst_Tmux)
#include "tst_Tmux.moc"
