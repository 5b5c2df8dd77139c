#pragma once

#include <QtGlobal>

// Token and tool-use totals of an agent's Claude Code session files.
struct ClaudeMetrics
{
    quint64 inputTokens = 0;
    quint64 outputTokens = 0;
    quint64 cacheCreationTokens = 0;
    quint64 cacheReadTokens = 0;
    quint64 messageCount = 0;
    quint64 toolUseCount = 0;
    quint64 sessionCount = 0;

    ClaudeMetrics &operator+=(const ClaudeMetrics &other)
    {
        inputTokens += other.inputTokens;
        outputTokens += other.outputTokens;
        cacheCreationTokens += other.cacheCreationTokens;
        cacheReadTokens += other.cacheReadTokens;
        messageCount += other.messageCount;
        toolUseCount += other.toolUseCount;
        sessionCount += other.sessionCount;
        return *this;
    }
    friend bool operator==(const ClaudeMetrics &, const ClaudeMetrics &) = default;
};
