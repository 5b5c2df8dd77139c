#pragma once

#include <QtGlobal>

// One sample of the host's load: CPU in percent of all cores, the rest in bytes.
struct SystemMetrics
{
    double cpuUsage = 0;
    quint64 memoryUsed = 0;
    quint64 memoryTotal = 0;
    quint64 diskUsed = 0;
    quint64 diskTotal = 0;
    quint64 netRxBytes = 0;
    quint64 netTxBytes = 0;
    qint64 timestampMs = 0; // when it was sampled, ms since the epoch

    friend bool operator==(const SystemMetrics &, const SystemMetrics &) = default;
};
