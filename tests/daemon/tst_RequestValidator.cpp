#include <QTemporaryDir>
#include <QTest>

#include "sandbox/BackendCatalog.h"
#include "sandbox/RequestValidator.h"

class tst_RequestValidator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validate_data();
    void validate();

private:
    QTemporaryDir m_dir;
};

void tst_RequestValidator::validate_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("backend");
    QTest::addColumn<QString>("projectDir");
    QTest::addColumn<bool>("network");
    QTest::addColumn<QString>("field"); // empty: valid
    const QString dir = m_dir.path();
    const QString file = dir + QStringLiteral("/file");
    QFile(file).open(QIODevice::WriteOnly);
    QTest::addRow("valid") << QStringLiteral("ok") << QStringLiteral("bubblewrap") << dir << true
                           << QString();
    QTest::addRow("hostile but printable name")
        << QStringLiteral("<img src=x onerror=alert(1)>; $(rm -rf /)")
        << QStringLiteral("bubblewrap") << dir << true << QString();
    QTest::addRow("unicode name") << QStringLiteral("проект ✓") << QStringLiteral("bubblewrap")
                                  << dir << true << QString();
    QTest::addRow("64 chars") << QString(64, u'x') << QStringLiteral("bubblewrap") << dir << true
                              << QString();
    QTest::addRow("65 chars") << QString(65, u'x') << QStringLiteral("bubblewrap") << dir << true
                              << QStringLiteral("name");
    QTest::addRow("empty name") << QString() << QStringLiteral("bubblewrap") << dir << true
                                << QStringLiteral("name");
    QTest::addRow("blank name") << QStringLiteral("   ") << QStringLiteral("bubblewrap") << dir
                                << true << QStringLiteral("name");
    QTest::addRow("newline in name") << QStringLiteral("a\nb") << QStringLiteral("bubblewrap")
                                     << dir << true << QStringLiteral("name");
    QTest::addRow("escape in name") << QStringLiteral("a\x1b[31m") << QStringLiteral("bubblewrap")
                                    << dir << true << QStringLiteral("name");
    QTest::addRow("unknown backend") << QStringLiteral("n") << QStringLiteral("docker") << dir
                                     << true << QStringLiteral("backend");
    QTest::addRow("relative dir") << QStringLiteral("n") << QStringLiteral("bubblewrap")
                                  << QStringLiteral("tmp") << true << QStringLiteral("project_dir");
    QTest::addRow("missing dir") << QStringLiteral("n") << QStringLiteral("bubblewrap")
                                 << dir + QStringLiteral("/nope") << true
                                 << QStringLiteral("project_dir");
    QTest::addRow("file not dir") << QStringLiteral("n") << QStringLiteral("bubblewrap") << file
                                  << true << QStringLiteral("project_dir");
    QTest::addRow("newline in dir")
        << QStringLiteral("n") << QStringLiteral("bubblewrap") << dir + QStringLiteral("/a\nb")
        << true << QStringLiteral("project_dir");
    QTest::addRow("no network, no way") << QStringLiteral("n") << QStringLiteral("bubblewrap")
                                        << dir << false << QStringLiteral("network");
    QTest::addRow("no network, bwrap")
        << QStringLiteral("n") << QStringLiteral("bwrap") << dir << false << QString();
}

void tst_RequestValidator::validate()
{
    QFETCH(QString, name);
    QFETCH(QString, backend);
    QFETCH(QString, projectDir);
    QFETCH(bool, network);
    QFETCH(QString, field);
    const BackendCatalog catalog = BackendCatalog::builtin({{QStringLiteral("bash")}, {}});
    const auto error = RequestValidator::validate({name, backend, projectDir, network}, catalog);
    if (field.isEmpty()) {
        QVERIFY2(!error, qPrintable(error ? error->message : QString()));
        return;
    }
    QVERIFY(error);
    QCOMPARE(error->kind, ErrorKind::Invalid);
    QCOMPARE(error->field, field);
    QVERIFY(error->message.contains(field));
}

QTEST_GUILESS_MAIN(tst_RequestValidator)
#include "tst_RequestValidator.moc"
