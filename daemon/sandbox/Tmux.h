#pragma once

#include <functional>
#include <optional>

#include <QList>
#include <QMap>
#include <QObject>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include "sys/ToolProcess.h"

// One line of `tmux list-panes -a`: a session's first pane and what became of it.
struct TmuxPane
{
    QString session;
    qint64 activity = 0; // epoch seconds of the last output
    bool dead = false;   // the backend exited and remain-on-exit kept the pane
    int deadStatus = 0;
    int deadSignal = 0; // the signal that killed it, if one did
    // tmux marks a pane dead when its terminal closes and learns the exit status a moment
    // later: until then neither is known.
    bool exitKnown = false;
    qint64 panePid = 0;
    QString owner; // the @csm_owner tag: the state dir of the daemon that made it

    friend bool operator==(const TmuxPane &, const TmuxPane &) = default;
};

// What a sandbox's tmux session runs and where its output goes.
struct TmuxSessionSpec
{
    QString name;
    QString workingDir;
    QMap<QString, QString> environment;
    QStringList command; // argv, run without a shell
    QString logPath;     // every byte the pane prints is appended here
    QString owner;
    int width = 160;
    int height = 48;
};

// Builds tmux command lines (argv only) and runs them on the default tmux server.
class Tmux
{
public:
    using Done = std::function<void(const ToolResult &)>;
    using PanesDone = std::function<void(std::optional<QList<TmuxPane>>, const QString &error)>;

    explicit Tmux(QString program = QStringLiteral("tmux"));

    // tmux splits its argv on any argument ending in ';' and expands '#' in some options:
    // these make user text arrive as data.
    static QString escapeArgument(const QString &arg);
    static QString escapeFormat(const QString &text);
    static QString shellQuote(const QString &text);

    QStringList newSessionArguments(const TmuxSessionSpec &spec) const;
    static QStringList listPanesArguments();
    static std::optional<QList<TmuxPane>> parsePanes(const QByteArray &output);
    // For a dead pane whose exit status tmux does not report, the status from /proc when
    // its process is an unreaped zombie.
    static void completeExitStatus(TmuxPane &pane);

    void startSession(const TmuxSessionSpec &spec, QObject *context, Done done) const;
    void killSession(const QString &name, QObject *context, Done done) const;
    void listPanes(QObject *context, PanesDone done) const;

    static bool isNoServerError(const ToolResult &result);

private:
    void run(const QStringList &arguments, QObject *context, Done done) const;

    QString m_program;
    QProcessEnvironment m_environment;
};
