#include <QApplication>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QTest>
#include <QWebSocket>

#include "DaemonProcess.h"
#include "ReplyBox.h"
#include "TerminalView.h"
#include "TestHttp.h"
#include "shared/ApiClient.h"

// The viewer's reply box and terminal view against the real daemon and real tmux, with the
// fake claude of the terminal tests answering.
class tst_ReplyBox : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void answersAPromptAndReplies();
};

void tst_ReplyBox::answersAPromptAndReplies()
{
    DaemonProcess daemon;
    DaemonProcess::Options options;
    const QByteArray fake =
        (DaemonProcess::sourceDir() + QStringLiteral("/tests/support/fake-claude")).toUtf8();
    options.backendsJson =
        R"({"backends": {"claude": {"command": [")" + fake + R"("], "display": "none"}}})";
    QVERIFY(daemon.start(options));
    TestHttp http;
    const QString id = http.createSandbox(daemon.url(), QStringLiteral("viewer"),
                                          QStringLiteral("claude"), daemon.projectDir())
                           .json()
                           .object()
                           .value(QStringLiteral("id"))
                           .toString();
    QVERIFY(!id.isEmpty());
    const QUrl screen = daemon.url(QStringLiteral("/api/sandboxes/%1/screen").arg(id));
    QTRY_VERIFY_WITH_TIMEOUT(http.get(screen).body.contains("Do you want to proceed?"), 10000);

    QNetworkAccessManager network;
    ApiClient api(network, daemon.url());
    TerminalView view;
    view.setStream(api.terminalStreamRequest(id));
    QTRY_VERIFY_WITH_TIMEOUT(view.text().contains(QStringLiteral("Do you want to proceed?")),
                             10000);
    QVERIFY(view.isConnected());

    ReplyBox box;
    box.setTarget(&api, id);
    QVERIFY(box.isEnabled());
    box.keyButton(QStringLiteral("1"))->click();
    QTRY_VERIFY_WITH_TIMEOUT(view.text().contains(QStringLiteral("permission granted: yes")),
                             10000);

    box.lineEdit()->setText(QStringLiteral("use the other API"));
    QTest::keyClick(box.lineEdit(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(http.get(screen).body.contains("reply received: [use the other API]"),
                             10000);
    QTRY_VERIFY_WITH_TIMEOUT(
        view.text().contains(QStringLiteral("reply received: [use the other API]")), 10000);
    QVERIFY(box.lineEdit()->text().isEmpty());
    QCOMPARE(box.statusLabel()->text(), QStringLiteral("Sent."));

    // Held by someone else: not sent, and "Send anyway" is offered.
    QWebSocket holder;
    QUrl ws = daemon.url(QStringLiteral("/ws/sandboxes/%1/terminal").arg(id));
    ws.setScheme(QStringLiteral("ws"));
    holder.open(ws);
    QTRY_COMPARE_WITH_TIMEOUT(holder.state(), QAbstractSocket::ConnectedState, 10000);
    holder.sendTextMessage(QStringLiteral(R"({"type":"take"})"));
    QTRY_COMPARE_WITH_TIMEOUT(view.holderDescription().isEmpty(), false, 10000);
    box.lineEdit()->setText(QStringLiteral("second"));
    box.sendText();
    QTRY_VERIFY_WITH_TIMEOUT(!box.forceButton()->isHidden(), 10000);
    box.forceButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(http.get(screen).body.contains("reply received: [second]"), 10000);
}

QTEST_MAIN(tst_ReplyBox)
#include "tst_ReplyBox.moc"
