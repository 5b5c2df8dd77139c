#include "DaemonConfig.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace {

constexpr auto DefaultBackendsFile = "/etc/claude-sandbox-manager/backends.json";

Expected<std::pair<QHostAddress, quint16>, QString> parseListen(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return QStringLiteral("MANAGER_LISTEN: expected HOST:PORT, got \"%1\"").arg(text);
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        return QStringLiteral("MANAGER_LISTEN: \"%1\" is not a port number")
            .arg(text.mid(colon + 1));
    QHostAddress address;
    if (host == u"localhost")
        address = QHostAddress::LocalHost;
    else if (!address.setAddress(host))
        return QStringLiteral("MANAGER_LISTEN: \"%1\" is not an IP address").arg(host);
    return std::pair{address, static_cast<quint16>(port)};
}

} // namespace

QString DaemonConfig::screenSpec() const
{
    return QStringLiteral("%1x%2x%3")
        .arg(screenSize.width())
        .arg(screenSize.height())
        .arg(screenDepth);
}

Expected<DaemonConfig, QString> DaemonConfig::fromEnvironment(const QProcessEnvironment &env)
{
    DaemonConfig config;

    const QString listenText =
        env.value(QStringLiteral("MANAGER_LISTEN"), QStringLiteral("127.0.0.1:3000"));
    if (listenText.startsWith(QLatin1StringView("unix:"))) {
        if (listenText.size() <= 5)
            return QStringLiteral(
                "MANAGER_LISTEN: unix: needs a socket path, e.g. unix:/run/csm/http.sock");
        config.listenUnixPath =
            QDir::cleanPath(QDir::current().absoluteFilePath(listenText.mid(5)));
        if (QFile::encodeName(config.listenUnixPath).size() > 107)
            return QStringLiteral("MANAGER_LISTEN: the socket path %1 is longer than 107 bytes")
                .arg(config.listenUnixPath);
    } else {
        const auto listen = parseListen(listenText);
        if (!listen)
            return listen.error();
        config.listenAddress = listen->first;
        config.listenPort = listen->second;
    }
    config.tokenFile = env.value(QStringLiteral("MANAGER_TOKEN_FILE"));
    const QStringList hosts =
        env.value(QStringLiteral("MANAGER_ALLOWED_HOSTS")).split(u',', Qt::SkipEmptyParts);
    for (const QString &host : hosts) {
        const QString name = host.trimmed().toLower();
        if (name.isEmpty() || name.contains(u'/') || name.contains(u' '))
            return QStringLiteral("MANAGER_ALLOWED_HOSTS: \"%1\" is not a host name").arg(host);
        config.allowedHosts.append(name);
    }

    config.stateDir =
        QDir(env.value(QStringLiteral("MANAGER_STATE_DIR"), QStringLiteral("."))).absolutePath();
    config.staticDir = env.value(QStringLiteral("MANAGER_STATIC_DIR"));
    if (!config.staticDir.isEmpty() && !QFileInfo(config.staticDir).isDir())
        return QStringLiteral("MANAGER_STATIC_DIR: %1 is not a directory").arg(config.staticDir);

    config.backendsFile = env.value(QStringLiteral("MANAGER_BACKENDS_FILE"));
    if (config.backendsFile.isEmpty() && QFileInfo::exists(QLatin1StringView(DefaultBackendsFile)))
        config.backendsFile = QLatin1StringView(DefaultBackendsFile);

    config.homeDir = env.value(QStringLiteral("HOME"), QDir::homePath());
    config.claudeDir = env.value(QStringLiteral("MANAGER_CLAUDE_DIR"),
                                 config.homeDir + QStringLiteral("/.claude"));

    const QString screen = env.value(QStringLiteral("MANAGER_SCREEN"));
    if (!screen.isEmpty()) {
        static const QRegularExpression pattern(
            QStringLiteral(R"(^(\d{2,5})x(\d{2,5})x(8|16|24)$)"));
        const auto match = pattern.match(screen);
        if (!match.hasMatch())
            return QStringLiteral("MANAGER_SCREEN: expected WIDTHxHEIGHTxDEPTH such as "
                                  "1920x1080x24, got \"%1\"")
                .arg(screen);
        config.screenSize = QSize(match.captured(1).toInt(), match.captured(2).toInt());
        config.screenDepth = match.captured(3).toInt();
        if (config.screenSize.width() > 8192 || config.screenSize.height() > 8192)
            return QStringLiteral("MANAGER_SCREEN: %1 is larger than 8192x8192").arg(screen);
    }

    const QString capture = env.value(QStringLiteral("MANAGER_CAPTURE"), QStringLiteral("xshm"));
    if (capture == u"xshm")
        config.capture = CaptureMethod::XShm;
    else if (capture == u"import")
        config.capture = CaptureMethod::Import;
    else
        return QStringLiteral("MANAGER_CAPTURE: expected xshm or import, got \"%1\"").arg(capture);

    const QString idle = env.value(QStringLiteral("MANAGER_CONTROL_IDLE_SECONDS"));
    if (!idle.isEmpty()) {
        bool ok = false;
        config.controlIdleSeconds = idle.toInt(&ok);
        if (!ok || config.controlIdleSeconds < 1 || config.controlIdleSeconds > 86400)
            return QStringLiteral("MANAGER_CONTROL_IDLE_SECONDS: expected 1 to 86400 seconds, "
                                  "got \"%1\"")
                .arg(idle);
    }

    return config;
}
