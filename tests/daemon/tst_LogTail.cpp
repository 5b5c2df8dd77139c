#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "metrics/LogTail.h"

class tst_LogTail : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void lastLines_data();
    void lastLines();
    void lastLinesAcrossBlocks();
    void byteLimitStartsAtALine();
    void completeUtf8Length_data();
    void completeUtf8Length();

private:
    QString write(const QByteArray &content);
    QTemporaryDir m_dir;
};

QString tst_LogTail::write(const QByteArray &content)
{
    static int n = 0;
    const QString path = m_dir.path() + QStringLiteral("/log%1").arg(++n);
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    file.write(content);
    return path;
}

void tst_LogTail::lastLines_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<int>("lines");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("two of three") << QByteArray("a\nb\nc\n") << 2 << QByteArray("b\nc\n");
    QTest::addRow("unterminated last") << QByteArray("a\nb\nc") << 2 << QByteArray("b\nc");
    QTest::addRow("more than there are") << QByteArray("a\nb\n") << 10 << QByteArray("a\nb\n");
    QTest::addRow("one") << QByteArray("a\nb\n") << 1 << QByteArray("b\n");
    QTest::addRow("empty") << QByteArray() << 5 << QByteArray();
    QTest::addRow("prompt without newline") << QByteArray("a\n$ ") << 1 << QByteArray("$ ");
}

void tst_LogTail::lastLines()
{
    QFETCH(QByteArray, content);
    QFETCH(int, lines);
    QFETCH(QByteArray, expected);
    const QString path = write(content);
    QCOMPARE(LogTail::lastLines(path, lines, content.size()), expected);
}

void tst_LogTail::lastLinesAcrossBlocks()
{
    QByteArray content;
    for (int i = 0; i < 20000; ++i)
        content += "line " + QByteArray::number(i) + '\n';
    const QString path = write(content);
    const QByteArray tail = LogTail::lastLines(path, 1000, content.size());
    QCOMPARE(tail.count('\n'), 1000);
    QVERIFY(tail.startsWith("line 19000\n"));
    // Only the bytes up to endOffset count.
    const QByteArray earlier = LogTail::lastLines(path, 1, content.indexOf("line 5\n"));
    QCOMPARE(earlier, QByteArray("line 4\n"));
}

void tst_LogTail::byteLimitStartsAtALine()
{
    QByteArray content;
    for (int i = 0; i < 1000; ++i)
        content += QByteArray(99, 'x') + '\n';
    const QString path = write(content);
    const QByteArray tail = LogTail::lastLines(path, 1000, content.size(), 1050);
    QCOMPARE(tail.size() % 100, 0);
    QVERIFY(tail.size() <= 1050);
    QVERIFY(tail.startsWith(QByteArray(99, 'x')));
}

void tst_LogTail::completeUtf8Length_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("expected");
    QTest::addRow("ascii") << QByteArray("abc") << 3;
    QTest::addRow("complete 2-byte") << QByteArray("a\xc3\xa9") << 3;
    QTest::addRow("cut 2-byte") << QByteArray("a\xc3") << 1;
    QTest::addRow("cut 3-byte after 1") << QByteArray("a\xe2") << 1;
    QTest::addRow("cut 3-byte after 2") << QByteArray("a\xe2\x9c") << 1;
    QTest::addRow("complete 3-byte") << QByteArray("a\xe2\x9c\x93") << 4;
    QTest::addRow("cut 4-byte after 3") << QByteArray("\xf0\x9f\x98") << 0;
    QTest::addRow("complete 4-byte") << QByteArray("\xf0\x9f\x98\x80") << 4;
    QTest::addRow("empty") << QByteArray() << 0;
}

void tst_LogTail::completeUtf8Length()
{
    QFETCH(QByteArray, data);
    QFETCH(int, expected);
    QCOMPARE(LogTail::completeUtf8Length(data), expected);
}

QTEST_GUILESS_MAIN(tst_LogTail)
#include "tst_LogTail.moc"
