#include "sandbox/Tmux.h"

#include <sys/wait.h>

#include "sys/ProcessInfo.h"

namespace {

QString exactSession(const QString &name)
{
    return u'=' + name;
}

QString exactPane(const QString &name)
{
    return u'=' + name + u':';
}

// tmux runs a one-element command through the shell: never let user data reach one.
QStringList commandArgv(const QStringList &argv)
{
    if (argv.size() != 1)
        return argv;
    return {QStringLiteral("env"), QStringLiteral("--"), argv.first()};
}

} // namespace

Tmux::Tmux(QString program)
    : m_program(std::move(program)), m_environment(QProcessEnvironment::systemEnvironment())
{
    // Started from inside tmux, the daemon must still talk to the default server.
    m_environment.remove(QStringLiteral("TMUX"));
    m_environment.remove(QStringLiteral("TMUX_PANE"));
}

QString Tmux::escapeArgument(const QString &arg)
{
    if (!arg.endsWith(u';'))
        return arg;
    return arg.left(arg.size() - 1) + QStringLiteral("\\;");
}

QString Tmux::escapeFormat(const QString &text)
{
    QString out = text;
    out.replace(u'#', QStringLiteral("##"));
    return out;
}

QString Tmux::shellQuote(const QString &text)
{
    QString out = text;
    out.replace(u'\'', QStringLiteral("'\\''"));
    return u'\'' + out + u'\'';
}

QStringList Tmux::newSessionArguments(const TmuxSessionSpec &spec) const
{
    // The session first runs a placeholder, so the log pipe is attached before the backend
    // prints its first line; respawn-pane then replaces the placeholder with the backend.
    QStringList args{QStringLiteral("new-session"), QStringLiteral("-d"),
                     QStringLiteral("-s"),          spec.name,
                     QStringLiteral("-x"),          QString::number(spec.width),
                     QStringLiteral("-y"),          QString::number(spec.height),
                     QStringLiteral("-c"),          escapeFormat(spec.workingDir)};
    for (auto it = spec.environment.begin(); it != spec.environment.end(); ++it) {
        args << QStringLiteral("-e") << it.key() + u'=' + it.value();
    }
    args << QStringLiteral("--") << QStringLiteral("sleep") << QStringLiteral("infinity");
    args << QStringLiteral(";") << QStringLiteral("set-option") << QStringLiteral("-t")
         << exactPane(spec.name) << QStringLiteral("@csm_owner") << spec.owner;
    args << QStringLiteral(";") << QStringLiteral("set-option") << QStringLiteral("-w")
         << QStringLiteral("-t") << exactPane(spec.name) << QStringLiteral("remain-on-exit")
         << QStringLiteral("on");
    args << QStringLiteral(";") << QStringLiteral("pipe-pane") << QStringLiteral("-O")
         << QStringLiteral("-t") << exactPane(spec.name)
         << escapeFormat(QStringLiteral("exec cat >> ") + shellQuote(spec.logPath));
    args << QStringLiteral(";") << QStringLiteral("respawn-pane") << QStringLiteral("-k")
         << QStringLiteral("-t") << exactPane(spec.name) << QStringLiteral("-c")
         << escapeFormat(spec.workingDir) << QStringLiteral("--") << commandArgv(spec.command);

    QStringList escaped;
    escaped.reserve(args.size());
    for (const QString &arg : args)
        escaped.append(arg == u";" ? arg : escapeArgument(arg));
    return escaped;
}

QStringList Tmux::listPanesArguments()
{
    return {QStringLiteral("list-panes"), QStringLiteral("-a"), QStringLiteral("-F"),
            QStringLiteral("#{session_name}\t#{session_activity}\t#{pane_dead}\t"
                           "#{pane_dead_status}\t#{pane_dead_signal}\t#{pane_pid}\t#{@csm_owner}")};
}

std::optional<QList<TmuxPane>> Tmux::parsePanes(const QByteArray &output)
{
    QList<TmuxPane> panes;
    for (const QByteArray &line : output.split('\n')) {
        if (line.isEmpty())
            continue;
        const QList<QByteArray> fields = line.split('\t');
        if (fields.size() < 7)
            return std::nullopt;
        TmuxPane pane;
        bool ok = false;
        pane.session = QString::fromUtf8(fields[0]);
        pane.activity = fields[1].toLongLong(&ok);
        if (!ok)
            return std::nullopt;
        pane.dead = fields[2] == "1";
        pane.deadStatus = fields[3].isEmpty() ? 0 : fields[3].toInt();
        pane.deadSignal = fields[4].isEmpty() ? 0 : fields[4].toInt();
        pane.exitKnown = !fields[3].isEmpty() || !fields[4].isEmpty();
        pane.panePid = fields[5].toLongLong();
        // The owner tag is last and may itself hold tabs.
        qsizetype ownerStart = 0;
        for (int i = 0; i < 6; ++i)
            ownerStart += fields[i].size() + 1;
        pane.owner = QString::fromUtf8(line.mid(ownerStart));
        // A session has one pane here; keep the first line per session.
        const bool seen = std::any_of(panes.cbegin(), panes.cend(),
                                      [&](const TmuxPane &p) { return p.session == pane.session; });
        if (!seen)
            panes.append(pane);
    }
    return panes;
}

void Tmux::completeExitStatus(TmuxPane &pane)
{
    if (!pane.dead || pane.exitKnown)
        return;
    // tmux 3.3a sometimes misses the SIGCHLD of a pane's process and leaves it a zombie that
    // it neither reaps nor reports; the kernel still holds its wait status.
    if (const auto status = ProcessInfo::zombieWaitStatus(pane.panePid)) {
        pane.exitKnown = true;
        pane.deadSignal = WIFSIGNALED(*status) ? WTERMSIG(*status) : 0;
        pane.deadStatus = WIFEXITED(*status) ? WEXITSTATUS(*status) : 0;
    }
}

bool Tmux::isNoServerError(const ToolResult &result)
{
    return result.started && (result.standardError.contains("no server running") ||
                              result.standardError.contains("error connecting to"));
}

void Tmux::run(const QStringList &arguments, QObject *context, Done done) const
{
    auto *tool = new ToolProcess(m_program, arguments);
    tool->setEnvironment(m_environment);
    QObject::connect(tool, &ToolProcess::finished, context, std::move(done));
    tool->start();
}

void Tmux::startSession(const TmuxSessionSpec &spec, QObject *context, Done done) const
{
    run(newSessionArguments(spec), context, std::move(done));
}

void Tmux::killSession(const QString &name, QObject *context, Done done) const
{
    run({QStringLiteral("kill-session"), QStringLiteral("-t"), exactSession(name)}, context,
        [done = std::move(done)](const ToolResult &result) {
            // Already gone is what we wanted.
            if (!result.ok() &&
                (isNoServerError(result) || result.standardError.contains("can't find session") ||
                 result.standardError.contains("no such session"))) {
                ToolResult gone = result;
                gone.failure.clear();
                done(gone);
                return;
            }
            done(result);
        });
}

void Tmux::listPanes(QObject *context, PanesDone done) const
{
    run(listPanesArguments(), context, [done = std::move(done)](const ToolResult &result) {
        if (!result.ok()) {
            if (isNoServerError(result))
                done(QList<TmuxPane>{}, {});
            else
                done(std::nullopt, result.failure);
            return;
        }
        auto panes = parsePanes(result.standardOutput);
        if (!panes) {
            done(std::nullopt, QStringLiteral("unexpected output from tmux list-panes"));
            return;
        }
        for (TmuxPane &pane : *panes)
            completeExitStatus(pane);
        done(panes, {});
    });
}
