#pragma once

#include <optional>

#include <QList>
#include <QString>

#include "HostSettings.h"

class QSettings;

// The saved hosts and the viewer's preferences, kept with QSettings.
class HostStore
{
public:
    static constexpr int DefaultTileWidth = 240;

    explicit HostStore(QSettings &settings);

    QList<HostSettings> hosts() const;
    void setHosts(const QList<HostSettings> &hosts);
    std::optional<HostSettings> host(const QString &name) const;

    // The terminal emulator's command; the attach command's arguments are appended to it.
    QString terminalCommand() const;
    void setTerminalCommand(const QString &command);
    int tileWidth() const;
    void setTileWidth(int width);
    QByteArray windowState() const;
    void setWindowState(const QByteArray &geometry);

    static QString defaultTerminalCommand();

private:
    QSettings &m_settings;
};
