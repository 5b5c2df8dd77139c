#include <QTest>

#include "http/HttpRequestScanner.h"

Q_DECLARE_METATYPE(HttpRequestScanner::Event)

class tst_HttpRequestScanner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void verdict_data();
    void verdict();
    void byteByByteEqualsWhole();
    void pipelinedRequests();
    void oversizedHeadIsRefusedBeforeItIsAllBuffered();
    void upgradeBecomesPassthrough();
    void connectionClose();
};

namespace {

struct Outcome
{
    int rejection = 0;
    int heads = 0;
    int complete = 0;
    bool upgraded = false;
};

Outcome scan(HttpRequestScanner &scanner, QByteArrayView data, qsizetype step = 0)
{
    Outcome outcome;
    qsizetype offset = 0;
    while (offset < data.size()) {
        QByteArrayView piece = step > 0 ? data.sliced(offset, std::min(step, data.size() - offset))
                                        : data.sliced(offset);
        offset += piece.size();
        while (true) {
            qsizetype consumed = 0;
            const auto event = scanner.feed(piece, &consumed);
            piece = piece.sliced(consumed);
            if (event == HttpRequestScanner::Event::Rejected) {
                outcome.rejection = scanner.rejection().status;
                return outcome;
            }
            if (event == HttpRequestScanner::Event::HeadComplete) {
                ++outcome.heads;
                if (scanner.bodyLength() == 0)
                    ++outcome.complete;
            }
            if (event == HttpRequestScanner::Event::RequestComplete)
                ++outcome.complete;
            if (event == HttpRequestScanner::Event::Upgraded)
                outcome.upgraded = true;
            if (event == HttpRequestScanner::Event::NeedMore && piece.isEmpty())
                break;
            if (piece.isEmpty() && event != HttpRequestScanner::Event::NeedMore)
                continue;
        }
    }
    return outcome;
}

} // namespace

void tst_HttpRequestScanner::verdict_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("rejection"); // 0: accepted
    QTest::addColumn<int>("complete");
    QTest::addRow("get") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n") << 0 << 1;
    QTest::addRow("lf only") << QByteArray("GET / HTTP/1.1\nHost: x\n\n") << 0 << 1;
    QTest::addRow("post with body")
        << QByteArray("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc") << 0 << 1;
    QTest::addRow("body incomplete")
        << QByteArray("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabc") << 0 << 0;
    QTest::addRow("http/1.0 without host") << QByteArray("GET / HTTP/1.0\r\n\r\n") << 0 << 1;
    QTest::addRow("negative length")
        << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n") << 400 << 0;
    QTest::addRow("non-numeric length")
        << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1e3\r\n\r\n") << 400 << 0;
    QTest::addRow("two lengths")
        << QByteArray(
               "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx")
        << 400 << 0;
    QTest::addRow("length and chunked")
        << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n")
        << 400 << 0;
    QTest::addRow("chunked")
        << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n") << 411
        << 0;
    QTest::addRow("body too large")
        << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n") << 413
        << 0;
    QTest::addRow("no host") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400 << 0;
    QTest::addRow("two hosts") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400
                               << 0;
    QTest::addRow("bad request line") << QByteArray("GET /\r\nHost: x\r\n\r\n") << 400 << 0;
    QTest::addRow("http/2 line") << QByteArray("GET / HTTP/2.0\r\nHost: x\r\n\r\n") << 505 << 0;
    QTest::addRow("folded header")
        << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n") << 400 << 0;
    QTest::addRow("space before colon")
        << QByteArray("GET / HTTP/1.1\r\nHost : x\r\n\r\n") << 400 << 0;
    QTest::addRow("control char") << QByteArray("GET / HTTP/1.1\r\nHost: x\x01y\r\n\r\n") << 400
                                  << 0;
    QByteArray many = "GET / HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 100; ++i)
        many += "X-F" + QByteArray::number(i) + ": v\r\n";
    QTest::addRow("101 fields") << QByteArray(many + "\r\n") << 400 << 0;
    QTest::addRow("big head") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nX: " +
                                            QByteArray(70000, 'a') + "\r\n\r\n")
                              << 431 << 0;
}

void tst_HttpRequestScanner::verdict()
{
    QFETCH(QByteArray, request);
    QFETCH(int, rejection);
    QFETCH(int, complete);
    HttpRequestScanner scanner({});
    const Outcome outcome = scan(scanner, request);
    QCOMPARE(outcome.rejection, rejection);
    QCOMPARE(outcome.complete, complete);
}

void tst_HttpRequestScanner::byteByByteEqualsWhole()
{
    const QByteArray stream =
        "POST /api/sandboxes HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nContent-Length: 10\r\n\r\n"
        "0123456789\r\nGET /api/health HTTP/1.1\r\nHost: h\r\n\r\n";
    for (qsizetype step : {qsizetype(1), qsizetype(2), qsizetype(7), qsizetype(0)}) {
        HttpRequestScanner scanner({});
        const Outcome outcome = scan(scanner, stream, step);
        QCOMPARE(outcome.rejection, 0);
        QCOMPARE(outcome.heads, 2);
        QCOMPARE(outcome.complete, 2);
        QCOMPARE(scanner.head().path(), QByteArray("/api/health"));
    }
}

void tst_HttpRequestScanner::pipelinedRequests()
{
    HttpRequestScanner scanner({});
    const Outcome outcome =
        scan(scanner, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b?c=d HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(outcome.complete, 2);
    QCOMPARE(scanner.head().target, QByteArray("/b?c=d"));
    QCOMPARE(scanner.head().path(), QByteArray("/b"));
}

void tst_HttpRequestScanner::oversizedHeadIsRefusedBeforeItIsAllBuffered()
{
    HttpRequestScanner scanner({});
    const QByteArray start = "GET / HTTP/1.1\r\nX: ";
    qsizetype consumed = 0;
    QCOMPARE(scanner.feed(start, &consumed), HttpRequestScanner::Event::NeedMore);
    const QByteArray chunk(16 * 1024, 'a');
    HttpRequestScanner::Event event = HttpRequestScanner::Event::NeedMore;
    int chunks = 0;
    while (event == HttpRequestScanner::Event::NeedMore && chunks < 100) {
        event = scanner.feed(chunk, &consumed);
        ++chunks;
    }
    QCOMPARE(event, HttpRequestScanner::Event::Rejected);
    QCOMPARE(scanner.rejection().status, 431);
    QVERIFY(chunks <= 5); // refused at 64 KiB, not after the whole flood
}

void tst_HttpRequestScanner::upgradeBecomesPassthrough()
{
    HttpRequestScanner scanner({});
    const Outcome outcome =
        scan(scanner, "GET /ws/sandboxes/x/logs HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\n\r\n\x81\x05hello");
    QVERIFY(outcome.upgraded);
    QVERIFY(scanner.upgraded());
    qsizetype consumed = 0;
    QCOMPARE(scanner.feed(QByteArray(100000, 'x'), &consumed), HttpRequestScanner::Event::NeedMore);
    QCOMPARE(consumed, 100000);
}

void tst_HttpRequestScanner::connectionClose()
{
    HttpRequestHead head;
    head.version = "HTTP/1.1";
    head.fields = {{"connection", "keep-alive, Close"}};
    QVERIFY(head.wantsClose());
    head.fields = {};
    QVERIFY(!head.wantsClose());
    head.version = "HTTP/1.0";
    QVERIFY(head.wantsClose());
    head.fields = {{"connection", "Keep-Alive"}};
    QVERIFY(!head.wantsClose());
}

QTEST_GUILESS_MAIN(tst_HttpRequestScanner)
#include "tst_HttpRequestScanner.moc"
