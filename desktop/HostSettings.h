#pragma once

#include <optional>

#include <QString>
#include <QStringList>
#include <QUrl>

// One host the viewer watches: reached through an SSH tunnel it opens itself, or directly by
// URL for a daemon on the same machine.
struct HostSettings
{
    static constexpr quint16 DefaultRemotePort = 3000;
    static constexpr int MaxSocketPathBytes = 107; // sun_path, less its terminating zero

    QString name;
    QString sshDestination; // user@server or a Host from ~/.ssh/config; empty for direct
    QString sshOptions;     // extra ssh arguments, split like a shell would
    quint16 remotePort = DefaultRemotePort;
    QUrl directUrl; // set instead of sshDestination for a daemon reachable without SSH
    QString token;  // bearer token, when the daemon asks for one
    // The daemon's Unix socket on the host (MANAGER_LISTEN=unix:/path), forwarded instead of
    // remotePort when set.
    QString remoteSocket;

    bool isDirect() const { return sshDestination.isEmpty(); }
    QStringList sshOptionList() const;
    // Splits like a POSIX shell would: words, 'single' and "double" quotes, backslash escapes.
    // nullopt for an unbalanced quote.
    static std::optional<QStringList> splitShellWords(const QString &text);
    // Why these settings cannot be used, or empty.
    QString validationError() const;

    friend bool operator==(const HostSettings &, const HostSettings &) = default;
};
