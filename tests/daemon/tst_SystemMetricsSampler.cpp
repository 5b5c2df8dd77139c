#include <QTemporaryDir>
#include <QTest>

#include "metrics/SystemMetricsSampler.h"

class tst_SystemMetricsSampler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseProcStat();
    void cpuPercent_data();
    void cpuPercent();
    void parseMeminfo();
    void parseNetDevExcludesLoopback();
    void parsersRefuseGarbage();
    void liveReadingIsPlausible();
};

void tst_SystemMetricsSampler::parseProcStat()
{
    const auto times = SystemMetricsSampler::parseProcStat(
        "cpu  100 5 50 800 20 3 2 1 7 0\ncpu0 50 2 25 400 10 1 1 0 3 0\nintr 1 2 3\n");
    QVERIFY(times);
    QCOMPARE(times->total, quint64(100 + 5 + 50 + 800 + 20 + 3 + 2 + 1));
    QCOMPARE(times->idle, quint64(820));
}

void tst_SystemMetricsSampler::cpuPercent_data()
{
    QTest::addColumn<quint64>("total");
    QTest::addColumn<quint64>("idle");
    QTest::addColumn<double>("expected");
    QTest::addRow("idle") << quint64(100) << quint64(100) << 0.0;
    QTest::addRow("quarter") << quint64(100) << quint64(75) << 25.0;
    QTest::addRow("busy") << quint64(100) << quint64(0) << 100.0;
    QTest::addRow("no time passed") << quint64(0) << quint64(0) << 0.0;
}

void tst_SystemMetricsSampler::cpuPercent()
{
    QFETCH(quint64, total);
    QFETCH(quint64, idle);
    QFETCH(double, expected);
    const SystemMetricsSampler::CpuTimes before{1000, 500};
    const SystemMetricsSampler::CpuTimes after{1000 + total, 500 + idle};
    QCOMPARE(SystemMetricsSampler::cpuPercent(before, after), expected);
}

void tst_SystemMetricsSampler::parseMeminfo()
{
    const auto memory =
        SystemMetricsSampler::parseMeminfo("MemTotal:       16000000 kB\nMemFree:  1000 kB\n"
                                           "MemAvailable:    4000000 kB\nBuffers: 1 kB\n");
    QVERIFY(memory);
    QCOMPARE(memory->total, quint64(16000000) * 1024);
    QCOMPARE(memory->available, quint64(4000000) * 1024);
}

void tst_SystemMetricsSampler::parseNetDevExcludesLoopback()
{
    const auto network = SystemMetricsSampler::parseNetDev(
        "Inter-|   Receive                                                |  Transmit\n"
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
        "drop fifo colls carrier compressed\n"
        "    lo: 999999 10 0 0 0 0 0 0 999999 10 0 0 0 0 0 0\n"
        "  eth0: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n"
        "  wlan0:300 3 0 0 0 0 0 0 400 4 0 0 0 0 0 0\n");
    QVERIFY(network);
    QCOMPARE(network->rx, quint64(1300));
    QCOMPARE(network->tx, quint64(2400));
}

void tst_SystemMetricsSampler::parsersRefuseGarbage()
{
    QVERIFY(!SystemMetricsSampler::parseProcStat("nothing"));
    QVERIFY(!SystemMetricsSampler::parseProcStat("cpu  a b c d e"));
    QVERIFY(!SystemMetricsSampler::parseMeminfo("MemTotal: 5 kB\n"));
    QVERIFY(!SystemMetricsSampler::parseNetDev(""));
}

void tst_SystemMetricsSampler::liveReadingIsPlausible()
{
    QTemporaryDir dir;
    SystemMetricsSampler sampler(dir.path());
    const SystemMetrics now = sampler.current();
    QVERIFY(now.memoryTotal > 0);
    QVERIFY(now.memoryUsed > 0 && now.memoryUsed < now.memoryTotal);
    QVERIFY(now.diskTotal > 0 && now.diskUsed <= now.diskTotal);
    QVERIFY(now.timestampMs > 0);
    // The first CPU figure comes from a delta a second after start.
    QTRY_VERIFY_WITH_TIMEOUT(!sampler.history().isEmpty(), 3000);
    const double cpu = sampler.history().last().cpuUsage;
    QVERIFY(cpu >= 0 && cpu <= 100);
}

QTEST_GUILESS_MAIN(tst_SystemMetricsSampler)
#include "tst_SystemMetricsSampler.moc"
