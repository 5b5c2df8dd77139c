#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include "HostStore.h"

// The saved hosts the viewer starts from, and what makes a host's settings usable.
class tst_HostStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hostStoreRoundTrip();
    void hostValidation_data();
    void hostValidation();
};

void tst_HostStore::hostStoreRoundTrip()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("viewer.ini")), QSettings::IniFormat);
    const QList<HostSettings> hosts{{QStringLiteral("build"),
                                     QStringLiteral("dev@build.example"),
                                     QStringLiteral("-p 2222 -i '/home/me/my key'"),
                                     3001,
                                     {},
                                     QStringLiteral("tok"),
                                     QStringLiteral("/run/claude-manager/http.sock")},
                                    {QStringLiteral("local"),
                                     {},
                                     {},
                                     3000,
                                     QUrl(QStringLiteral("http://127.0.0.1:3000")),
                                     {},
                                     {}}};
    HostStore(settings).setHosts(hosts);
    QSettings reread(dir.filePath(QStringLiteral("viewer.ini")), QSettings::IniFormat);
    HostStore store(reread);
    QCOMPARE(store.hosts(), hosts);
    QCOMPARE(store.host(QStringLiteral("build"))->sshOptionList(),
             (QStringList{QStringLiteral("-p"), QStringLiteral("2222"), QStringLiteral("-i"),
                          QStringLiteral("/home/me/my key")}));
    QVERIFY(!store.host(QStringLiteral("nope")));
    QCOMPARE(store.terminalCommand(), HostStore::defaultTerminalCommand());
}

void tst_HostStore::hostValidation_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("destination");
    QTest::addColumn<QString>("options");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("socket");
    QTest::addColumn<bool>("valid");

    QTest::addRow("ssh") << QStringLiteral("build") << QStringLiteral("dev@build")
                         << QStringLiteral("-p 22") << QString() << QString() << true;
    QTest::addRow("ssh config alias") << QStringLiteral("b") << QStringLiteral("build") << QString()
                                      << QString() << QString() << true;
    QTest::addRow("direct") << QStringLiteral("local") << QString() << QString()
                            << QStringLiteral("http://127.0.0.1:3000") << QString() << true;
    QTest::addRow("no name") << QStringLiteral(" ") << QStringLiteral("dev@build") << QString()
                             << QString() << QString() << false;
    QTest::addRow("option as destination")
        << QStringLiteral("x") << QStringLiteral("-oProxyCommand=sh") << QString() << QString()
        << QString() << false;
    QTest::addRow("unbalanced quote")
        << QStringLiteral("x") << QStringLiteral("dev@build") << QStringLiteral("-i 'key")
        << QString() << QString() << false;
    QTest::addRow("neither") << QStringLiteral("x") << QString() << QString() << QString()
                             << QString() << false;
    QTest::addRow("not http") << QStringLiteral("x") << QString() << QString()
                              << QStringLiteral("ftp://h/") << QString() << false;
    QTest::addRow("socket") << QStringLiteral("s") << QStringLiteral("dev@build") << QString()
                            << QString() << QStringLiteral("/run/claude-manager/http.sock") << true;
    QTest::addRow("relative socket")
        << QStringLiteral("s") << QStringLiteral("dev@build") << QString() << QString()
        << QStringLiteral("run/http.sock") << false;
    QTest::addRow("socket with a colon")
        << QStringLiteral("s") << QStringLiteral("dev@build") << QString() << QString()
        << QStringLiteral("/run/a:b.sock") << false;
    QTest::addRow("socket path too long")
        << QStringLiteral("s") << QStringLiteral("dev@build") << QString() << QString()
        << (QStringLiteral("/") + QString(120, u'x')) << false;
}

void tst_HostStore::hostValidation()
{
    QFETCH(QString, name);
    QFETCH(QString, destination);
    QFETCH(QString, options);
    QFETCH(QString, url);
    QFETCH(QString, socket);
    QFETCH(bool, valid);
    const HostSettings host{name, destination, options, 3000, QUrl(url), {}, socket};
    QCOMPARE(host.validationError().isEmpty(), valid);
}

QTEST_GUILESS_MAIN(tst_HostStore)
#include "tst_HostStore.moc"
