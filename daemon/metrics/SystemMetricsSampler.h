#pragma once

#include <chrono>
#include <optional>

#include <QContiguousCache>
#include <QList>
#include <QObject>
#include <QTimer>

#include "shared/SystemMetrics.h"

// Samples the host's CPU (from /proc/stat deltas), memory, disk and network on a timer and
// keeps the last 10 minutes for the dashboard's charts.
class SystemMetricsSampler : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SystemMetricsSampler)

public:
    static constexpr std::chrono::milliseconds Interval{5000};
    static constexpr int HistoryLength = 120; // 10 minutes of 5 s samples

    struct CpuTimes
    {
        quint64 total = 0;
        quint64 idle = 0;
    };
    struct Memory
    {
        quint64 total = 0;
        quint64 available = 0;
    };
    struct Network
    {
        quint64 rx = 0;
        quint64 tx = 0;
    };

    static std::optional<CpuTimes> parseProcStat(const QByteArray &text);
    static std::optional<Memory> parseMeminfo(const QByteArray &text);
    static std::optional<Network> parseNetDev(const QByteArray &text);
    static double cpuPercent(const CpuTimes &before, const CpuTimes &after);

    explicit SystemMetricsSampler(QString diskPath, QObject *parent = nullptr);

    // A fresh reading of memory, disk and network with the latest CPU figure.
    SystemMetrics current() const;
    QList<SystemMetrics> history() const;

private:
    void sample();

    QString m_diskPath;
    QTimer m_timer;
    std::optional<CpuTimes> m_lastCpu;
    double m_cpu = 0;
    QContiguousCache<SystemMetrics> m_history{HistoryLength};
};
