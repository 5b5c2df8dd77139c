#pragma once

#include <QHostAddress>
#include <QProcessEnvironment>
#include <QSize>
#include <QString>
#include <QStringList>

#include "capture/CaptureMethod.h"
#include "shared/Expected.h"

// Everything the daemon reads from its environment, checked once at startup.
struct DaemonConfig
{
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 listenPort = 3000;
    QString listenUnixPath;   // MANAGER_LISTEN=unix:/path: a Unix socket (mode 0600) instead of TCP
    QString tokenFile;        // MANAGER_TOKEN_FILE: every request needs this token
    QStringList allowedHosts; // MANAGER_ALLOWED_HOSTS: Host names accepted besides loopback ones
    QString stateDir;         // absolute
    QString staticDir;        // empty: the assets compiled into the binary
    QString backendsFile;     // empty: compiled-in backends only
    QString claudeDir;        // holds projects/<encoded>/<session>.jsonl
    QString homeDir;
    QSize screenSize{1920, 1080};
    int screenDepth = 24;
    CaptureMethod capture = CaptureMethod::XShm;
    // MANAGER_CONTROL_IDLE_SECONDS: an idle holder of a terminal or display is released.
    int controlIdleSeconds = 300;

    QString screenSpec() const;

    static Expected<DaemonConfig, QString> fromEnvironment(const QProcessEnvironment &env);
};
