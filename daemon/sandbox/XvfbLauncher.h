#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include <QObject>
#include <QSize>
#include <QString>

#include "shared/Expected.h"

class QSocketNotifier;

// A running Xvfb: which display it serves and how to prove later that a pid is still it.
struct XvfbInstance
{
    int display = 0;
    qint64 pid = 0;
    quint64 startTicks = 0;
    QString serverAuthFile;
    QString clientAuthFile; // XAUTHORITY for the sandbox's programs
    QByteArray cookie;
};

struct XvfbRequest
{
    QString sandboxId;
    int firstDisplay = 50;
    QSize size{1920, 1080};
    int depth = 24;
    QString runDir; // private (0700) folder for the auth files and Xvfb's stderr
};

// Starts an Xvfb that outlives the daemon (so a daemon restart keeps the sandbox's screen),
// learns its display from -displayfd, and gives it a private MIT-MAGIC-COOKIE.
class XvfbLauncher : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(XvfbLauncher)

public:
    using Done = std::function<void(Expected<XvfbInstance, QString>)>;
    static constexpr std::chrono::milliseconds StartTimeout{10000};
    static constexpr int MaxDisplayAttempts = 64;

    explicit XvfbLauncher(QString program = QStringLiteral("Xvfb"), QObject *parent = nullptr);

    void start(const XvfbRequest &request, QObject *context, Done done);

    // SIGTERM to pid, only if it still is the Xvfb started with serverAuthFile.
    static void stop(qint64 pid, quint64 startTicks, const QString &bootId,
                     const QString &serverAuthFile);

private:
    class Attempt;
    QString m_program;
};
