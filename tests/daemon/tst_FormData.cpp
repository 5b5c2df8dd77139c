#include <QTest>

#include "http/FormData.h"

class tst_FormData : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void value_data();
    void value();
    void values();
};

void tst_FormData::value_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("expected");
    QTest::addRow("plain") << QByteArray("name=demo&backend=stub") << QStringLiteral("backend")
                           << QStringLiteral("stub");
    QTest::addRow("plus is a space")
        << QByteArray("name=my+box") << QStringLiteral("name") << QStringLiteral("my box");
    QTest::addRow("escaped plus") << QByteArray("name=a%2Bb") << QStringLiteral("name")
                                  << QStringLiteral("a+b");
    QTest::addRow("utf-8") << QByteArray("name=caf%C3%A9") << QStringLiteral("name")
                           << QStringLiteral("café");
    QTest::addRow("last value wins") << QByteArray("network=false&network=true")
                                     << QStringLiteral("network") << QStringLiteral("true");
    QTest::addRow("missing") << QByteArray("a=1") << QStringLiteral("b") << QString();
    QTest::addRow("no equals sign")
        << QByteArray("flag&a=1") << QStringLiteral("flag") << QString();
    QTest::addRow("escaped name") << QByteArray("project%5Fdir=%2Ftmp")
                                  << QStringLiteral("project_dir") << QStringLiteral("/tmp");
}

void tst_FormData::value()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    QFETCH(QString, expected);
    QCOMPARE(FormData::parse(body).value(field), expected);
}

void tst_FormData::values()
{
    const FormData form = FormData::parse("network=false&name=x&network=true");
    QCOMPARE(form.values(u"network"),
             (QStringList{QStringLiteral("false"), QStringLiteral("true")}));
    QVERIFY(form.contains(u"name"));
    QVERIFY(!form.contains(u"csrf_token"));
}

QTEST_GUILESS_MAIN(tst_FormData)
#include "tst_FormData.moc"
