#include <signal.h>
#include <sys/mount.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include "DaemonProcess.h"
#include "TestHttp.h"
#include "shared/JsonCodec.h"
#include "sys/ProcessInfo.h"

// Faults of the tools around the daemon: each gives the right status and a reason on the
// sandbox, and the daemon keeps serving.
class tst_Recovery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tmuxServerKilled();
    void xvfbKilled();
    void qemuKilled();
    void backendProgramRemovedBeforeStart();
    void fullDiskAnswers507AndRecovers();

private:
    QJsonObject create(DaemonProcess &daemon, const QString &backend, int expectedStatus = 201);
    QJsonObject sandbox(DaemonProcess &daemon, const QString &id);
    TestHttp m_http;
};

QJsonObject tst_Recovery::create(DaemonProcess &daemon, const QString &backend, int expectedStatus)
{
    const HttpResult result =
        m_http.createSandbox(daemon.url(), backend, backend, daemon.projectDir());
    if (result.status != expectedStatus)
        qWarning().noquote() << "create:" << result.status << result.body;
    return result.status == expectedStatus ? result.json().object() : QJsonObject();
}

QJsonObject tst_Recovery::sandbox(DaemonProcess &daemon, const QString &id)
{
    return m_http.get(daemon.url(QStringLiteral("/api/sandboxes/") + id)).json().object();
}

void tst_Recovery::tmuxServerKilled()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    const QString a = create(daemon, QStringLiteral("stub")).value(QStringLiteral("id")).toString();
    const QString b = create(daemon, QStringLiteral("stub")).value(QStringLiteral("id")).toString();
    QVERIFY(!a.isEmpty() && !b.isEmpty());
    daemon.tmux({QStringLiteral("kill-server")});
    for (const QString &id : {a, b}) {
        QTRY_COMPARE_WITH_TIMEOUT(sandbox(daemon, id).value(QStringLiteral("status")).toString(),
                                  QStringLiteral("dead"), 7000);
        QVERIFY(sandbox(daemon, id)
                    .value(QStringLiteral("reason"))
                    .toString()
                    .contains(QStringLiteral("tmux")));
    }
    // A new tmux server is started for the next sandbox.
    QCOMPARE(create(daemon, QStringLiteral("stub")).value(QStringLiteral("status")).toString(),
             QStringLiteral("running"));
}

void tst_Recovery::xvfbKilled()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    const QJsonObject created = create(daemon, QStringLiteral("stub"));
    const QString id = created.value(QStringLiteral("id")).toString();
    ::kill(static_cast<pid_t>(created.value(QStringLiteral("pid_xvfb")).toInteger()), SIGKILL);
    QTRY_COMPARE_WITH_TIMEOUT(sandbox(daemon, id).value(QStringLiteral("status")).toString(),
                              QStringLiteral("dead"), 7000);
    QVERIFY(sandbox(daemon, id)
                .value(QStringLiteral("reason"))
                .toString()
                .contains(QStringLiteral("Xvfb")));
    // Its session went with it.
    int code = 0;
    QTRY_VERIFY_WITH_TIMEOUT((daemon.tmux({QStringLiteral("has-session"), QStringLiteral("-t"),
                                           QStringLiteral("=sandbox-") + id.left(8)},
                                          &code),
                              code != 0),
                             5000);
    QCOMPARE(m_http.get(daemon.url(QStringLiteral("/api/health"))).status, 200);
}

void tst_Recovery::qemuKilled()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    const QJsonObject created = create(daemon, QStringLiteral("vm"));
    const QString id = created.value(QStringLiteral("id")).toString();
    const QString socket = created.value(QStringLiteral("qemu_qmp_socket")).toString();
    QList<qint64> qemu;
    QTRY_VERIFY_WITH_TIMEOUT(
        !(qemu = ProcessInfo::findByArgumentPrefix(QStringLiteral("qemu-system-x86_64"),
                                                   QStringLiteral("unix:") + socket))
             .isEmpty(),
        5000);
    ::kill(static_cast<pid_t>(qemu.first()), SIGKILL);
    QTRY_COMPARE_WITH_TIMEOUT(sandbox(daemon, id).value(QStringLiteral("status")).toString(),
                              QStringLiteral("dead"), 7000);
    const QJsonObject dead = sandbox(daemon, id);
    QVERIFY2(dead.value(QStringLiteral("reason")).toString().contains(QStringLiteral("signal 9")),
             qPrintable(dead.value(QStringLiteral("reason")).toString()));
    QCOMPARE(dead.value(QStringLiteral("exit_status")).toInt(), 128 + 9);
}

void tst_Recovery::backendProgramRemovedBeforeStart()
{
    DaemonProcess daemon;
    const QString program = daemon.workDir() + QStringLiteral("/agent");
    QVERIFY(QFile::copy(DaemonProcess::stubBackend(), program));
    QFile::setPermissions(program, QFile::permissions(DaemonProcess::stubBackend()));
    DaemonProcess::Options options;
    options.backendsJson =
        R"({"backends": {"agent": {"command": [")" + program.toUtf8() + R"(", "{project_dir}"]}}})";
    QVERIFY(daemon.start(options));
    const QString id =
        create(daemon, QStringLiteral("agent")).value(QStringLiteral("id")).toString();
    QCOMPARE(
        m_http.request("POST", daemon.url(QStringLiteral("/api/sandboxes/%1/stop").arg(id))).status,
        204);
    QVERIFY(QFile::remove(program));
    const HttpResult start =
        m_http.request("POST", daemon.url(QStringLiteral("/api/sandboxes/%1/start").arg(id)));
    QCOMPARE(start.status, 422);
    QCOMPARE(start.json().object().value(QStringLiteral("field")).toString(),
             QStringLiteral("backend"));
    QVERIFY(sandbox(daemon, id)
                .value(QStringLiteral("reason"))
                .toString()
                .contains(QStringLiteral("not installed")));
    QCOMPARE(create(daemon, QStringLiteral("agent"), 422).value(QStringLiteral("field")).toString(),
             QStringLiteral("backend"));
    QCOMPARE(m_http.get(daemon.url(QStringLiteral("/api/sandboxes"))).status, 200);
}

void tst_Recovery::fullDiskAnswers507AndRecovers()
{
    if (::geteuid() != 0)
        QSKIP("mounting a small tmpfs as the state dir needs root (CI runs as root)");
    auto daemon = std::make_unique<DaemonProcess>();
    const QString stateDir = daemon->stateDir();
    QVERIFY(QDir().mkpath(stateDir));
    QCOMPARE(
        ::mount("tmpfs", QFile::encodeName(stateDir).constData(), "tmpfs", 0, "size=1m,mode=0700"),
        0);
    const auto unmount = qScopeGuard([&] {
        daemon->shutdown(); // nothing may keep a file open on the tmpfs
        ::umount2(QFile::encodeName(stateDir).constData(), MNT_DETACH);
    });
    DaemonProcess::Options options;
    options.backendsJson = R"({"backends": {"headless": {"command": [")" +
                           DaemonProcess::stubBackend().toUtf8() +
                           R"(", "{project_dir}"], "display": "none"}}})";
    QVERIFY(daemon->start(options));
    const QString kept =
        create(*daemon, QStringLiteral("headless")).value(QStringLiteral("id")).toString();
    QVERIFY(!kept.isEmpty());

    // Fill the disk.
    QFile filler(stateDir + QStringLiteral("/filler"));
    QVERIFY(filler.open(QIODevice::WriteOnly));
    const QByteArray block(4096, 'x');
    while (filler.write(block) == block.size() && filler.flush()) {
    }
    filler.close();

    const HttpResult refused = m_http.createSandbox(
        daemon->url(), QStringLiteral("full"), QStringLiteral("headless"), daemon->projectDir());
    QVERIFY2(refused.status == 507, refused.body.constData());
    QVERIFY(!refused.json().object().value(QStringLiteral("error")).toString().isEmpty());
    // The old state stays, in memory and on disk.
    QCOMPARE(m_http.get(daemon->url(QStringLiteral("/api/sandboxes"))).json().array().size(), 1);
    QFile state(stateDir + QStringLiteral("/state.json"));
    QVERIFY(state.open(QIODevice::ReadOnly));
    const auto onDisk = JsonCodec::stateFromJson(state.readAll());
    QVERIFY(onDisk);
    QCOMPARE(onDisk->sandboxes.keys(), QStringList{kept});
    // Stopping cannot be saved either: 507, and health says so.
    QCOMPARE(m_http.request("POST", daemon->url(QStringLiteral("/api/sandboxes/%1/stop").arg(kept)))
                 .status,
             507);
    QCOMPARE(m_http.get(daemon->url(QStringLiteral("/api/health")))
                 .json()
                 .object()
                 .value(QStringLiteral("status"))
                 .toString(),
             QStringLiteral("degraded"));

    // Room again: the pending write goes through and the daemon is healthy.
    QVERIFY(QFile::remove(filler.fileName()));
    QTRY_COMPARE_WITH_TIMEOUT(m_http.get(daemon->url(QStringLiteral("/api/health")))
                                  .json()
                                  .object()
                                  .value(QStringLiteral("status"))
                                  .toString(),
                              QStringLiteral("ok"), 15000);
    QCOMPARE(create(*daemon, QStringLiteral("headless")).value(QStringLiteral("status")).toString(),
             QStringLiteral("running"));
    state.close();
    QVERIFY(state.open(QIODevice::ReadOnly));
    const auto after = JsonCodec::stateFromJson(state.readAll());
    QVERIFY(after);
    QCOMPARE(after->sandboxes.size(), 2);
    QVERIFY(after->sandboxes.value(kept).status == SandboxStatus::Stopped);
}

QTEST_GUILESS_MAIN(tst_Recovery)
#include "tst_Recovery.moc"
