#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include "metrics/ClaudeMetricsReader.h"

Q_DECLARE_METATYPE(ClaudeMetrics)

class tst_ClaudeMetricsReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void encodeProjectPath_data();
    void encodeProjectPath();
    void addLine_data();
    void addLine();
    void incrementalWithPartialLine();
    void truncatedFileIsReadAgain();
    void sumsAllSessionFiles();

private:
    static QByteArray assistant(int input, int output, int tools);
    static void append(const QString &path, const QByteArray &data);
    ClaudeMetrics fetch(ClaudeMetricsReader &reader, const QString &projectDir);
};

QByteArray tst_ClaudeMetricsReader::assistant(int input, int output, int tools)
{
    QByteArray content = "[{\"type\":\"text\",\"text\":\"hi\"}";
    for (int i = 0; i < tools; ++i)
        content += ",{\"type\":\"tool_use\",\"id\":\"t" + QByteArray::number(i) +
                   "\",\"name\":\"Bash\",\"input\":{}}";
    content += ']';
    return R"({"type":"assistant","message":{"role":"assistant","content":)" + content +
           R"(,"usage":{"input_tokens":)" + QByteArray::number(input) + R"(,"output_tokens":)" +
           QByteArray::number(output) +
           R"(,"cache_creation_input_tokens":10,"cache_read_input_tokens":20}}})";
}

void tst_ClaudeMetricsReader::append(const QString &path, const QByteArray &data)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::Append));
    file.write(data);
}

ClaudeMetrics tst_ClaudeMetricsReader::fetch(ClaudeMetricsReader &reader, const QString &projectDir)
{
    std::optional<ClaudeMetrics> result;
    reader.metrics(projectDir, this, [&](const ClaudeMetrics &m) { result = m; });
    if (!QTest::qWaitFor([&] { return result.has_value(); }, 10000))
        qFatal("no metrics");
    return *result;
}

void tst_ClaudeMetricsReader::encodeProjectPath_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("encoded");
    QTest::addRow("reference example")
        << QStringLiteral("/home/u/my_app.v2") << QStringLiteral("-home-u-my-app-v2");
    QTest::addRow("plain") << QStringLiteral("/srv/work") << QStringLiteral("-srv-work");
    QTest::addRow("spaces and dots") << QStringLiteral("/a b/.c") << QStringLiteral("-a-b--c");
    QTest::addRow("non-ascii") << QStringLiteral("/tmp/é") << QStringLiteral("-tmp--");
    QTest::addRow("astral counts twice (UTF-16, as in JavaScript)")
        << QStringLiteral("/x😀") << QStringLiteral("-x--");
}

void tst_ClaudeMetricsReader::encodeProjectPath()
{
    QFETCH(QString, path);
    QFETCH(QString, encoded);
    QCOMPARE(ClaudeMetricsReader::encodeProjectPath(path), encoded);
}

void tst_ClaudeMetricsReader::addLine_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<ClaudeMetrics>("expected");
    QTest::addRow("assistant") << assistant(3, 4, 2) << ClaudeMetrics{3, 4, 10, 20, 0, 2, 0};
    QTest::addRow("user") << QByteArray(
                                 R"({"type":"user","message":{"role":"user","content":"hi"}})")
                          << ClaudeMetrics{0, 0, 0, 0, 1, 0, 0};
    QTest::addRow("summary") << QByteArray(R"({"type":"summary","summary":"about the user"})")
                             << ClaudeMetrics{};
    QTest::addRow("malformed") << QByteArray(R"({"type":"assistant", broken)") << ClaudeMetrics{};
    QTest::addRow("no usage") << QByteArray(R"({"type":"assistant","message":{"content":[]}})")
                              << ClaudeMetrics{};
    QTest::addRow("negative tokens")
        << QByteArray(R"({"type":"assistant","message":{"usage":{"input_tokens":-5}}})")
        << ClaudeMetrics{};
}

void tst_ClaudeMetricsReader::addLine()
{
    QFETCH(QByteArray, line);
    QFETCH(ClaudeMetrics, expected);
    ClaudeMetrics metrics;
    ClaudeMetricsReader::addLine(line, metrics);
    QCOMPARE(metrics, expected);
}

void tst_ClaudeMetricsReader::incrementalWithPartialLine()
{
    QTemporaryDir dir;
    const QString path = dir.path() + QStringLiteral("/s.jsonl");
    const QByteArray line = assistant(100, 50, 1);
    append(path, line + '\n' + line.left(20));
    ClaudeMetricsReader::FileState state;
    QVERIFY(ClaudeMetricsReader::update(path, state));
    QCOMPARE(state.totals.inputTokens, quint64(100));
    append(path, line.mid(20) + "\nnot json\n");
    QVERIFY(ClaudeMetricsReader::update(path, state));
    QCOMPARE(state.totals.inputTokens, quint64(200));
    QCOMPARE(state.totals.toolUseCount, quint64(2));
    QCOMPARE(state.offset, QFileInfo(path).size());
}

void tst_ClaudeMetricsReader::truncatedFileIsReadAgain()
{
    QTemporaryDir dir;
    const QString path = dir.path() + QStringLiteral("/s.jsonl");
    append(path, assistant(1, 1, 0) + '\n' + assistant(1, 1, 0) + '\n');
    ClaudeMetricsReader::FileState state;
    QVERIFY(ClaudeMetricsReader::update(path, state));
    QCOMPARE(state.totals.inputTokens, quint64(2));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(assistant(5, 1, 0) + '\n');
    file.close();
    QVERIFY(ClaudeMetricsReader::update(path, state));
    QCOMPARE(state.totals.inputTokens, quint64(5));
}

void tst_ClaudeMetricsReader::sumsAllSessionFiles()
{
    QTemporaryDir dir;
    ClaudeMetricsReader reader(dir.path());
    const QString project = QStringLiteral("/home/u/my_app.v2");
    const QString folder = dir.path() + QStringLiteral("/projects/-home-u-my-app-v2");
    QCOMPARE(reader.projectFolder(project), folder);
    QVERIFY(QDir().mkpath(folder));
    QCOMPARE(fetch(reader, project), ClaudeMetrics{});

    append(folder + QStringLiteral("/old.jsonl"), assistant(10, 1, 1) + "\n{\"type\":\"user\"}\n");
    append(folder + QStringLiteral("/new.jsonl"), assistant(20, 2, 0) + '\n');
    append(folder + QStringLiteral("/notes.txt"), assistant(1000, 1000, 9) + '\n');
    ClaudeMetrics total = fetch(reader, project);
    QCOMPARE(total.inputTokens, quint64(30));
    QCOMPARE(total.messageCount, quint64(1));
    QCOMPARE(total.toolUseCount, quint64(1));
    QCOMPARE(total.sessionCount, quint64(2));

    append(folder + QStringLiteral("/new.jsonl"), assistant(5, 0, 3) + '\n');
    total = fetch(reader, project);
    QCOMPARE(total.inputTokens, quint64(35));
    QCOMPARE(total.toolUseCount, quint64(4));

    QFile::remove(folder + QStringLiteral("/old.jsonl"));
    total = fetch(reader, project);
    QCOMPARE(total.inputTokens, quint64(25));
    QCOMPARE(total.sessionCount, quint64(1));
}

QTEST_GUILESS_MAIN(tst_ClaudeMetricsReader)
#include "tst_ClaudeMetricsReader.moc"
