#pragma once

#include <optional>

#include <QDateTime>
#include <QString>

enum class SandboxStatus
{
    Running,
    Stopped,
    Dead
};

QString toString(SandboxStatus status);
std::optional<SandboxStatus> sandboxStatusFromString(QStringView text);

// One sandbox as the API and state.json describe it (the reference schema plus our extras).
struct Sandbox
{
    QString id;
    QString name;
    QString backend;
    QString projectDir;
    SandboxStatus status = SandboxStatus::Stopped;
    std::optional<int> displayNum;
    QString tmuxSession;
    std::optional<qint64> pidXvfb;
    QString qmpSocket;
    bool network = true;
    QDateTime createdAt;

    // Extras beyond the reference schema.
    QDateTime startedAt;
    QDateTime lastActivityAt;
    std::optional<int> exitStatus;
    QString reason; // why the sandbox is dead or stopped, for people

    // Kept in state.json only: proves a recorded pid is still our Xvfb after a restart.
    quint64 xvfbStartTicks = 0;
    QString bootId;

    QString shortId() const { return id.left(8); }
    bool isRunning() const { return status == SandboxStatus::Running; }
    QString attachCommand() const;

    friend bool operator==(const Sandbox &, const Sandbox &) = default;
};
