#include "HostStore.h"

#include <QSettings>

namespace {
namespace Key {
const QString Hosts = QStringLiteral("hosts");
const QString Name = QStringLiteral("name");
const QString Destination = QStringLiteral("sshDestination");
const QString Options = QStringLiteral("sshOptions");
const QString Port = QStringLiteral("remotePort");
const QString Socket = QStringLiteral("remoteSocket");
const QString Url = QStringLiteral("url");
const QString Token = QStringLiteral("token");
const QString Terminal = QStringLiteral("viewer/terminalCommand");
const QString TileWidth = QStringLiteral("viewer/tileWidth");
const QString Window = QStringLiteral("viewer/windowGeometry");
} // namespace Key
} // namespace

HostStore::HostStore(QSettings &settings) : m_settings(settings) {}

QList<HostSettings> HostStore::hosts() const
{
    QList<HostSettings> hosts;
    const int count = m_settings.beginReadArray(Key::Hosts);
    for (int i = 0; i < count; ++i) {
        m_settings.setArrayIndex(i);
        HostSettings host;
        host.name = m_settings.value(Key::Name).toString();
        host.sshDestination = m_settings.value(Key::Destination).toString();
        host.sshOptions = m_settings.value(Key::Options).toString();
        host.remotePort = static_cast<quint16>(
            m_settings.value(Key::Port, HostSettings::DefaultRemotePort).toUInt());
        host.remoteSocket = m_settings.value(Key::Socket).toString();
        host.directUrl = QUrl(m_settings.value(Key::Url).toString());
        host.token = m_settings.value(Key::Token).toString();
        if (!host.name.isEmpty())
            hosts.append(host);
    }
    m_settings.endArray();
    return hosts;
}

void HostStore::setHosts(const QList<HostSettings> &hosts)
{
    m_settings.remove(Key::Hosts);
    m_settings.beginWriteArray(Key::Hosts, static_cast<int>(hosts.size()));
    for (int i = 0; i < hosts.size(); ++i) {
        const HostSettings &host = hosts.at(i);
        m_settings.setArrayIndex(i);
        m_settings.setValue(Key::Name, host.name);
        m_settings.setValue(Key::Destination, host.sshDestination);
        m_settings.setValue(Key::Options, host.sshOptions);
        m_settings.setValue(Key::Port, host.remotePort);
        if (host.remoteSocket.isEmpty())
            m_settings.remove(Key::Socket);
        else
            m_settings.setValue(Key::Socket, host.remoteSocket);
        m_settings.setValue(Key::Url, host.directUrl.toString());
        if (host.token.isEmpty())
            m_settings.remove(Key::Token);
        else
            m_settings.setValue(Key::Token, host.token);
    }
    m_settings.endArray();
    m_settings.sync();
}

std::optional<HostSettings> HostStore::host(const QString &name) const
{
    for (const HostSettings &host : hosts()) {
        if (host.name == name)
            return host;
    }
    return std::nullopt;
}

QString HostStore::defaultTerminalCommand()
{
    // Debian's alternative points at the desktop's own terminal; every one of them takes -e.
    return QStringLiteral("x-terminal-emulator -e");
}

QString HostStore::terminalCommand() const
{
    return m_settings.value(Key::Terminal, defaultTerminalCommand()).toString();
}

void HostStore::setTerminalCommand(const QString &command)
{
    m_settings.setValue(Key::Terminal, command);
}

int HostStore::tileWidth() const
{
    return m_settings.value(Key::TileWidth, DefaultTileWidth).toInt();
}

void HostStore::setTileWidth(int width)
{
    m_settings.setValue(Key::TileWidth, width);
}

QByteArray HostStore::windowState() const
{
    return m_settings.value(Key::Window).toByteArray();
}

void HostStore::setWindowState(const QByteArray &geometry)
{
    m_settings.setValue(Key::Window, geometry);
}
