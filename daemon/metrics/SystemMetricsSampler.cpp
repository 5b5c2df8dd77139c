#include "metrics/SystemMetricsSampler.h"

#include <sys/statvfs.h>

#include <QDateTime>
#include <QFile>

namespace {

QByteArray readProc(const char *path)
{
    QFile file(QString::fromLatin1(path));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.read(1024 * 1024);
}

} // namespace

std::optional<SystemMetricsSampler::CpuTimes>
SystemMetricsSampler::parseProcStat(const QByteArray &text)
{
    for (const QByteArray &line : text.split('\n')) {
        if (!line.startsWith("cpu "))
            continue;
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() < 5)
            return std::nullopt;
        CpuTimes times;
        // user nice system idle iowait irq softirq steal (guest time is already in user)
        for (qsizetype i = 1; i < fields.size() && i <= 8; ++i) {
            bool ok = false;
            const quint64 value = fields[i].toULongLong(&ok);
            if (!ok)
                return std::nullopt;
            times.total += value;
            if (i == 4 || i == 5)
                times.idle += value;
        }
        return times;
    }
    return std::nullopt;
}

std::optional<SystemMetricsSampler::Memory>
SystemMetricsSampler::parseMeminfo(const QByteArray &text)
{
    Memory memory;
    bool haveTotal = false;
    bool haveAvailable = false;
    for (const QByteArray &line : text.split('\n')) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() < 2)
            continue;
        bool ok = false;
        const quint64 kib = fields[1].toULongLong(&ok);
        if (!ok)
            continue;
        if (fields[0] == "MemTotal:") {
            memory.total = kib * 1024;
            haveTotal = true;
        } else if (fields[0] == "MemAvailable:") {
            memory.available = kib * 1024;
            haveAvailable = true;
        }
    }
    if (!haveTotal || !haveAvailable)
        return std::nullopt;
    return memory;
}

std::optional<SystemMetricsSampler::Network>
SystemMetricsSampler::parseNetDev(const QByteArray &text)
{
    Network network;
    bool any = false;
    for (const QByteArray &line : text.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            continue;
        const QByteArray name = line.left(colon).trimmed();
        if (name.isEmpty() || name.contains('|'))
            continue;
        any = true;
        if (name == "lo")
            continue;
        const QList<QByteArray> fields = line.mid(colon + 1).simplified().split(' ');
        if (fields.size() < 9)
            return std::nullopt;
        network.rx += fields[0].toULongLong();
        network.tx += fields[8].toULongLong();
    }
    if (!any)
        return std::nullopt;
    return network;
}

double SystemMetricsSampler::cpuPercent(const CpuTimes &before, const CpuTimes &after)
{
    if (after.total <= before.total)
        return 0;
    const double total = static_cast<double>(after.total - before.total);
    const double idle =
        static_cast<double>(after.idle >= before.idle ? after.idle - before.idle : 0);
    return std::clamp(100.0 * (1.0 - idle / total), 0.0, 100.0);
}

SystemMetricsSampler::SystemMetricsSampler(QString diskPath, QObject *parent)
    : QObject(parent), m_diskPath(std::move(diskPath))
{
    m_lastCpu = parseProcStat(readProc("/proc/stat"));
    m_timer.setInterval(Interval);
    connect(&m_timer, &QTimer::timeout, this, &SystemMetricsSampler::sample);
    m_timer.start();
    // A first CPU figure one second in, rather than a meaningless one or none for 5 s.
    QTimer::singleShot(std::chrono::seconds(1), this, &SystemMetricsSampler::sample);
}

SystemMetrics SystemMetricsSampler::current() const
{
    SystemMetrics metrics;
    metrics.timestampMs = QDateTime::currentMSecsSinceEpoch();
    metrics.cpuUsage = m_cpu;
    if (const auto memory = parseMeminfo(readProc("/proc/meminfo"))) {
        metrics.memoryTotal = memory->total;
        metrics.memoryUsed = memory->total - std::min(memory->total, memory->available);
    }
    struct statvfs disk
    {};
    if (::statvfs(QFile::encodeName(m_diskPath).constData(), &disk) == 0) {
        metrics.diskTotal = static_cast<quint64>(disk.f_blocks) * disk.f_frsize;
        metrics.diskUsed = static_cast<quint64>(disk.f_blocks - disk.f_bfree) * disk.f_frsize;
    }
    if (const auto network = parseNetDev(readProc("/proc/net/dev"))) {
        metrics.netRxBytes = network->rx;
        metrics.netTxBytes = network->tx;
    }
    return metrics;
}

QList<SystemMetrics> SystemMetricsSampler::history() const
{
    QList<SystemMetrics> list;
    list.reserve(m_history.count());
    for (qsizetype i = m_history.firstIndex(); i <= m_history.lastIndex(); ++i)
        list.append(m_history.at(i));
    return list;
}

void SystemMetricsSampler::sample()
{
    const auto cpu = parseProcStat(readProc("/proc/stat"));
    if (cpu && m_lastCpu)
        m_cpu = cpuPercent(*m_lastCpu, *cpu);
    if (cpu)
        m_lastCpu = cpu;
    m_history.append(current());
}
