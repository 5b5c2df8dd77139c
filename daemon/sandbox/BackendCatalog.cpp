#include "sandbox/BackendCatalog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace {

const QStringList &knownPlaceholders()
{
    static const QStringList names{
        QStringLiteral("project_dir"), QStringLiteral("id"),      QStringLiteral("short_id"),
        QStringLiteral("name"),        QStringLiteral("display"), QStringLiteral("xauthority"),
        QStringLiteral("qmp_socket"),  QStringLiteral("home"),    QStringLiteral("state_dir")};
    return names;
}

const QRegularExpression &placeholderPattern()
{
    static const QRegularExpression pattern(QStringLiteral(R"(\{([a-z_]+)\})"));
    return pattern;
}

std::optional<DisplayKind> displayKindFromString(const QString &text)
{
    if (text == u"xvfb")
        return DisplayKind::Xvfb;
    if (text == u"qmp")
        return DisplayKind::Qmp;
    if (text == u"none")
        return DisplayKind::None;
    return std::nullopt;
}

Expected<QStringList, QString> readArgv(const QJsonValue &value, const QString &where)
{
    if (!value.isArray() || value.toArray().isEmpty())
        return QString(where + QStringLiteral(": expected a non-empty array of strings"));
    QStringList argv;
    for (const QJsonValue &item : value.toArray()) {
        if (!item.isString())
            return QString(where + QStringLiteral(": every argument must be a string"));
        const QString arg = item.toString();
        auto it = placeholderPattern().globalMatch(arg);
        while (it.hasNext()) {
            const QString placeholder = it.next().captured(1);
            if (!knownPlaceholders().contains(placeholder))
                return QString(
                    where + QStringLiteral(": unknown placeholder {%1} (known: %2)")
                                .arg(placeholder, knownPlaceholders().join(QStringLiteral(", "))));
        }
        argv.append(arg);
    }
    if (argv.first().isEmpty())
        return QString(where + QStringLiteral(": the program name is empty"));
    return argv;
}

QStringList bwrapCommand(const QStringList &agent, bool network)
{
    // The project is the only writable place besides a private /tmp and Claude's own
    // state; the daemon's state dir (logs, other sandboxes' X cookies) is hidden.
    QStringList argv{QStringLiteral("bwrap"),
                     QStringLiteral("--die-with-parent"),
                     QStringLiteral("--unshare-pid"),
                     QStringLiteral("--unshare-ipc"),
                     QStringLiteral("--unshare-uts"),
                     QStringLiteral("--unshare-cgroup-try"),
                     QStringLiteral("--ro-bind"),
                     QStringLiteral("/"),
                     QStringLiteral("/"),
                     QStringLiteral("--dev"),
                     QStringLiteral("/dev"),
                     QStringLiteral("--proc"),
                     QStringLiteral("/proc"),
                     QStringLiteral("--tmpfs"),
                     QStringLiteral("/tmp"),
                     QStringLiteral("--ro-bind-try"),
                     QStringLiteral("/tmp/.X11-unix"),
                     QStringLiteral("/tmp/.X11-unix"),
                     QStringLiteral("--tmpfs"),
                     QStringLiteral("{state_dir}"),
                     QStringLiteral("--ro-bind-try"),
                     QStringLiteral("{xauthority}"),
                     QStringLiteral("{xauthority}"),
                     QStringLiteral("--bind-try"),
                     QStringLiteral("{home}/.claude"),
                     QStringLiteral("{home}/.claude"),
                     QStringLiteral("--bind-try"),
                     QStringLiteral("{home}/.claude.json"),
                     QStringLiteral("{home}/.claude.json"),
                     QStringLiteral("--bind"),
                     QStringLiteral("{project_dir}"),
                     QStringLiteral("{project_dir}"),
                     QStringLiteral("--chdir"),
                     QStringLiteral("{project_dir}")};
    if (!network)
        argv.append(QStringLiteral("--unshare-net"));
    argv.append(QStringLiteral("--"));
    argv.append(agent);
    return argv;
}

} // namespace

QString toString(DisplayKind kind)
{
    switch (kind) {
    case DisplayKind::Xvfb:
        return QStringLiteral("xvfb");
    case DisplayKind::Qmp:
        return QStringLiteral("qmp");
    case DisplayKind::None:
        return QStringLiteral("none");
    }
    return {};
}

BackendCatalog BackendCatalog::builtin(const Builtins &builtins)
{
    BackendCatalog catalog;
    catalog.m_backends = {
        {QStringLiteral("bubblewrap"),
         QStringLiteral("Claude Code in the reference bubblewrap sandbox (claude-sandbox, Nix)"),
         {QStringLiteral("claude-sandbox"), QStringLiteral("{project_dir}")},
         {},
         DisplayKind::Xvfb},
        {QStringLiteral("container"),
         QStringLiteral("Claude Code in a systemd-nspawn container (claude-sandbox-container, "
                        "through sudo)"),
         {QStringLiteral("sudo"), QStringLiteral("claude-sandbox-container"),
          QStringLiteral("{project_dir}")},
         {},
         DisplayKind::Xvfb},
        {QStringLiteral("vm"),
         QStringLiteral("Claude Code in a QEMU virtual machine (claude-sandbox-vm); screen "
                        "through QMP"),
         {QStringLiteral("claude-sandbox-vm"), QStringLiteral("{project_dir}")},
         {},
         DisplayKind::Qmp},
        {QStringLiteral("bwrap"),
         QStringLiteral("Debian's bubblewrap: the project dir writable, the system read-only; "
                        "runs %1")
             .arg(builtins.agentCommand.join(u' ')),
         bwrapCommand(builtins.agentCommand, true), bwrapCommand(builtins.agentCommand, false),
         DisplayKind::Xvfb},
    };
    if (!builtins.demoScript.isEmpty()) {
        const QStringList demo{builtins.demoScript, QStringLiteral("{project_dir}")};
        catalog.m_backends.append({QStringLiteral("demo"),
                                   QStringLiteral("A demo that draws on its screen and prints to "
                                                  "its terminal: try the dashboard with it"),
                                   demo, demo, DisplayKind::Xvfb});
    }
    return catalog;
}

std::optional<QString> BackendCatalog::merge(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return QStringLiteral("not JSON: %1 at offset %2")
            .arg(parseError.errorString())
            .arg(parseError.offset);
    const QJsonValue backendsValue = document.object().value(QLatin1StringView("backends"));
    if (!document.isObject() || !backendsValue.isObject())
        return QStringLiteral("expected an object with a \"backends\" object");

    QList<BackendSpec> merged = m_backends;
    const QJsonObject backends = backendsValue.toObject();
    for (auto it = backends.begin(); it != backends.end(); ++it) {
        const QString name = it.key();
        static const QRegularExpression namePattern(
            QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"));
        if (!namePattern.match(name).hasMatch())
            return QStringLiteral("backend \"%1\": names are 1-32 letters, digits, '.', '_' or '-'")
                .arg(name);
        merged.removeIf([&](const BackendSpec &spec) { return spec.name == name; });
        if (it.value().isNull())
            continue;
        if (!it.value().isObject())
            return QStringLiteral("backend %1: expected an object or null").arg(name);
        const QJsonObject object = it.value().toObject();

        BackendSpec spec;
        spec.name = name;
        spec.description = object.value(QLatin1StringView("description")).toString();
        auto command = readArgv(object.value(QLatin1StringView("command")),
                                QStringLiteral("backend %1: command").arg(name));
        if (!command)
            return command.error();
        spec.command = *command;
        const QJsonValue offline = object.value(QLatin1StringView("command_no_network"));
        if (!offline.isUndefined() && !offline.isNull()) {
            auto argv =
                readArgv(offline, QStringLiteral("backend %1: command_no_network").arg(name));
            if (!argv)
                return argv.error();
            spec.commandNoNetwork = *argv;
        }
        const QJsonValue display = object.value(QLatin1StringView("display"));
        const auto kind = display.isUndefined() ? std::optional<DisplayKind>(DisplayKind::Xvfb)
                                                : displayKindFromString(display.toString());
        if (!kind)
            return QStringLiteral("backend %1: display must be xvfb, qmp or none").arg(name);
        spec.display = *kind;
        merged.append(spec);
    }
    m_backends = merged;
    return std::nullopt;
}

const BackendSpec *BackendCatalog::find(const QString &name) const
{
    for (const BackendSpec &spec : m_backends) {
        if (spec.name == name)
            return &spec;
    }
    return nullptr;
}

QStringList BackendCatalog::expand(const QStringList &argvTemplate, const BackendVars &vars)
{
    const auto valueOf = [&](QStringView placeholder) -> QString {
        if (placeholder == u"project_dir")
            return vars.projectDir;
        if (placeholder == u"id")
            return vars.id;
        if (placeholder == u"short_id")
            return vars.shortId;
        if (placeholder == u"name")
            return vars.name;
        if (placeholder == u"display")
            return vars.display;
        if (placeholder == u"xauthority")
            return vars.xauthority;
        if (placeholder == u"qmp_socket")
            return vars.qmpSocket;
        if (placeholder == u"home")
            return vars.home;
        if (placeholder == u"state_dir")
            return vars.stateDir;
        return QStringLiteral("{") + placeholder + QStringLiteral("}");
    };
    QStringList argv;
    argv.reserve(argvTemplate.size());
    for (const QString &arg : argvTemplate) {
        // One pass, so a value that itself contains "{id}" is never expanded again.
        QString out;
        qsizetype last = 0;
        auto it = placeholderPattern().globalMatch(arg);
        while (it.hasNext()) {
            const auto match = it.next();
            out += QStringView(arg).mid(last, match.capturedStart() - last);
            out += valueOf(match.capturedView(1));
            last = match.capturedEnd();
        }
        out += QStringView(arg).mid(last);
        argv.append(out);
    }
    return argv;
}
