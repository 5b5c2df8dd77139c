#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QSet>
#include <QTest>

#include "DaemonProcess.h"
#include "TestHttp.h"
#include "shared/JsonCodec.h"
#include "sys/ProcessInfo.h"

// kill -9 at random moments during a burst of creates, stops and deletes, 20 times over.
// After each restart: state.json loads, no sandbox the API confirmed is lost (nor one it
// confirmed deleted back), and no Xvfb or tmux session is left that no sandbox owns.
class tst_CrashConsistency : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killDuringBursts();

private:
    void burst(DaemonProcess &daemon, int killAfterMs);
    void checkInvariants(DaemonProcess &daemon, int round);

    QNetworkAccessManager m_manager;
    TestHttp m_http;
    QSet<QString> m_confirmed; // creates answered 201 and not deleted since
    QSet<QString> m_deleted;   // deletes answered 204
    QRandomGenerator m_random{20261127};
};

void tst_CrashConsistency::burst(DaemonProcess &daemon, int killAfterMs)
{
    const QStringList existing = QStringList(m_confirmed.cbegin(), m_confirmed.cend());
    QList<QNetworkReply *> replies;
    const auto send = [&](const QByteArray &method, const QString &path,
                          const QByteArray &body = {}) {
        QNetworkRequest request(daemon.url(path));
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        QNetworkReply *reply = m_manager.sendCustomRequest(request, method, body);
        reply->setProperty("method", method);
        reply->setProperty("path", path);
        replies.append(reply);
    };
    const QByteArray create =
        QJsonDocument(QJsonObject{{QStringLiteral("name"), QStringLiteral("burst")},
                                  {QStringLiteral("backend"), QStringLiteral("stub")},
                                  {QStringLiteral("project_dir"), daemon.projectDir()}})
            .toJson();
    for (int i = 0; i < 3; ++i)
        send("POST", QStringLiteral("/api/sandboxes"), create);
    for (const QString &id : existing) {
        switch (m_random.bounded(3)) {
        case 0:
            send("POST", QStringLiteral("/api/sandboxes/%1/stop").arg(id));
            break;
        case 1:
            send("DELETE", QStringLiteral("/api/sandboxes/") + id);
            break;
        default:
            send("POST", QStringLiteral("/api/sandboxes/%1/start").arg(id));
            break;
        }
    }
    QTest::qWait(killAfterMs);
    daemon.kill9();
    QTest::qWait(50); // let the replies notice
    for (QNetworkReply *reply : replies) {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray method = reply->property("method").toByteArray();
        const QString path = reply->property("path").toString();
        if (reply->isFinished() && method == "POST" && path == u"/api/sandboxes" && status == 201)
            m_confirmed.insert(QJsonDocument::fromJson(reply->readAll())
                                   .object()
                                   .value(QStringLiteral("id"))
                                   .toString());
        if (method == "DELETE") {
            // Unanswered, it may or may not have happened: only an answered one is a promise.
            const QString id = path.section(u'/', -1);
            m_confirmed.remove(id);
            if (reply->isFinished() && status == 204)
                m_deleted.insert(id);
        }
        if (!reply->isFinished())
            reply->abort();
        reply->deleteLater();
    }
}

void tst_CrashConsistency::checkInvariants(DaemonProcess &daemon, int round)
{
    const QString where = QStringLiteral("round %1").arg(round);
    // state.json (or its previous copy) always loads: the restart would have said otherwise.
    QFile state(daemon.stateDir() + QStringLiteral("/state.json"));
    QVERIFY2(state.open(QIODevice::ReadOnly), qPrintable(where));
    const auto parsed = JsonCodec::stateFromJson(state.readAll());
    QVERIFY2(parsed, qPrintable(where + u' ' + (parsed ? QString() : parsed.error())));
    QVERIFY2(!daemon.output().contains(QStringLiteral("does not load")), qPrintable(where));

    QSet<QString> listed;
    QSet<QString> runningSessions;
    QSet<QString> runningIds;
    for (const QJsonValue &value :
         m_http.get(daemon.url(QStringLiteral("/api/sandboxes"))).json().array()) {
        const QJsonObject sandbox = value.toObject();
        const QString id = sandbox.value(QStringLiteral("id")).toString();
        listed.insert(id);
        if (sandbox.value(QStringLiteral("status")).toString() == u"running") {
            runningSessions.insert(sandbox.value(QStringLiteral("tmux_session")).toString());
            runningIds.insert(id);
        }
    }
    for (const QString &id : std::as_const(m_confirmed))
        QVERIFY2(listed.contains(id),
                 qPrintable(where + QStringLiteral(": lost confirmed sandbox ") + id));
    for (const QString &id : std::as_const(m_deleted))
        QVERIFY2(!listed.contains(id),
                 qPrintable(where + QStringLiteral(": deleted sandbox came back ") + id));
    // Sandboxes created but not confirmed before the kill may or may not exist; from now on
    // they are ordinary sandboxes.
    m_confirmed.unite(listed);

    // No orphans: every tagged tmux session and every Xvfb of this state dir belongs to a
    // running sandbox.
    const QByteArray panes = daemon.tmux({QStringLiteral("list-sessions"), QStringLiteral("-F"),
                                          QStringLiteral("#{session_name}\t#{@csm_owner}")});
    for (const QByteArray &line : panes.split('\n')) {
        if (line.isEmpty())
            continue;
        const QList<QByteArray> fields = line.split('\t');
        if (fields.value(1) != daemon.stateDir().toUtf8())
            continue;
        QVERIFY2(runningSessions.contains(QString::fromUtf8(fields[0])),
                 qPrintable(where + QStringLiteral(": orphan tmux session ") +
                            QString::fromUtf8(fields[0])));
    }
    const QList<qint64> xvfbs = ProcessInfo::findByArgumentPrefix(
        QStringLiteral("Xvfb"), daemon.stateDir() + QStringLiteral("/run/"));
    for (const qint64 pid : xvfbs) {
        const QStringList args = ProcessInfo::commandLine(pid);
        const bool owned =
            std::any_of(runningIds.cbegin(), runningIds.cend(), [&](const QString &id) {
                return args.contains(daemon.stateDir() + QStringLiteral("/run/") + id +
                                     QStringLiteral(".xauth-server"));
            });
        // SIGTERM from the reaper takes a moment to land.
        if (!owned)
            QTRY_VERIFY2_WITH_TIMEOUT(
                ProcessInfo::commandLine(pid).isEmpty(),
                qPrintable(where + QStringLiteral(": orphan Xvfb ") + QString::number(pid)), 5000);
    }
}

void tst_CrashConsistency::killDuringBursts()
{
    DaemonProcess daemon;
    QVERIFY(daemon.start());
    for (int round = 1; round <= 20; ++round) {
        const int killAfter = static_cast<int>(m_random.bounded(20, 1500));
        burst(daemon, killAfter);
        QVERIFY2(daemon.restart(),
                 qPrintable(QStringLiteral("round %1: %2").arg(round).arg(daemon.output())));
        checkInvariants(daemon, round);
        if (QTest::currentTestFailed())
            return;
        qInfo().noquote() << QStringLiteral(
                                 "round %1: killed after %2 ms; %3 sandboxes kept, %4 deleted")
                                 .arg(round)
                                 .arg(killAfter)
                                 .arg(m_confirmed.size())
                                 .arg(m_deleted.size());
    }
}

QTEST_GUILESS_MAIN(tst_CrashConsistency)
#include "tst_CrashConsistency.moc"
