#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QStandardPaths>
#include <QTextStream>

#include "Application.h"
#include "DaemonConfig.h"
#include "api/Authenticator.h"
#include "api/Preflight.h"
#include "sandbox/BackendCatalog.h"
#include "sandbox/StateStore.h"
#include "shared/UnixSignalWatcher.h"

namespace {

enum ExitCode
{
    Ok = 0,
    CheckFailed = 1,
    BadConfig = 2,
    StateDirUnusable = 3,
    CannotListen = 4
};

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

QString demoScript()
{
    // Next to the binary in a build tree; in libexec once installed.
    const QStringList candidates{QCoreApplication::applicationDirPath() +
                                     QStringLiteral("/claude-sandbox-demo"),
                                 QStringLiteral(CSM_LIBEXECDIR "/claude-sandbox-demo")};
    for (const QString &path : candidates) {
        if (QFileInfo(path).isExecutable())
            return path;
    }
    return {};
}

QStringList agentCommand(const QProcessEnvironment &env)
{
    if (!QStandardPaths::findExecutable(QStringLiteral("claude")).isEmpty())
        return {QStringLiteral("claude")};
    QString shell = env.value(QStringLiteral("SHELL"));
    if (shell.isEmpty() || !QFileInfo(shell).isExecutable())
        shell = QStringLiteral("/bin/bash");
    return {shell, QStringLiteral("-l")};
}

std::optional<QString> prepareStateDir(const QString &dir)
{
    const QFileInfo info(dir);
    if (!info.exists()) {
        if (!QDir().mkpath(dir))
            return QStringLiteral("cannot create the state dir %1").arg(dir);
        QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                       QFileDevice::ExeOwner);
    } else if (!info.isDir()) {
        return QStringLiteral("the state dir %1 is not a directory").arg(dir);
    }
    if (::access(QFile::encodeName(dir).constData(), R_OK | W_OK | X_OK) != 0)
        return QStringLiteral("the state dir %1 is not writable by this user (uid %2)")
            .arg(dir)
            .arg(::getuid());
    return std::nullopt;
}

} // namespace

int main(int argc, char *argv[])
{
    // A handler, not SIG_IGN: an ignored signal stays ignored in every program we start, and
    // the agents' shell pipelines need the default SIGPIPE.
    struct sigaction pipeAction
    {};
    pipeAction.sa_handler = [](int) {};
    sigemptyset(&pipeAction.sa_mask);
    ::sigaction(SIGPIPE, &pipeAction, nullptr);
    // Every connection, log and capture costs a descriptor: take all the system allows.
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }
    if (qEnvironmentVariableIsEmpty("QT_MESSAGE_PATTERN"))
        qSetMessagePattern(
            QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-warning}warning %{endif}"
                           "%{if-critical}error %{endif}%{category}: %{message}"));
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false"));
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("claude-sandbox-manager"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CSM_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs sandboxed AI coding agents (each with an Xvfb display and a tmux session) and serves "
        "a JSON API, a WebSocket log stream and a web dashboard.\n\n"
        "Configured through the environment: MANAGER_LISTEN (127.0.0.1:3000, or unix:/path), "
        "MANAGER_STATE_DIR (.), MANAGER_BACKENDS_FILE, MANAGER_STATIC_DIR, MANAGER_SCREEN "
        "(1920x1080x24), MANAGER_CAPTURE (xshm|import), MANAGER_CLAUDE_DIR, MANAGER_TOKEN_FILE, "
        "MANAGER_ALLOWED_HOSTS. See docs/CONFIGURATION.md."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption checkOption(
        QStringLiteral("check"),
        QStringLiteral("List the runtime tools as found or missing and exit "
                       "(non-zero when a required one is missing)."));
    parser.addOption(checkOption);
    parser.process(app);

    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    auto config = DaemonConfig::fromEnvironment(env);
    if (!config) {
        err() << "claude-sandbox-manager: " << config.error() << Qt::endl;
        return BadConfig;
    }
    BackendCatalog catalog = BackendCatalog::builtin({agentCommand(env), demoScript()});
    if (!config->backendsFile.isEmpty()) {
        QFile file(config->backendsFile);
        if (!file.open(QIODevice::ReadOnly)) {
            err() << "claude-sandbox-manager: cannot read MANAGER_BACKENDS_FILE "
                  << config->backendsFile << ": " << file.errorString() << Qt::endl;
            return BadConfig;
        }
        if (auto error = catalog.merge(file.read(1024 * 1024))) {
            err() << "claude-sandbox-manager: " << config->backendsFile << ": " << *error
                  << Qt::endl;
            return BadConfig;
        }
    }

    if (parser.isSet(checkOption)) {
        const QList<ToolCheck> checks = Preflight::run(config->capture, catalog);
        QTextStream out(stdout);
        out << "claude-sandbox-manager " << CSM_VERSION << " preflight\n"
            << Preflight::report(checks);
        const bool ok = Preflight::allRequiredFound(checks);
        out << (ok ? "all required tools found\n" : "a required tool is missing\n");
        return ok ? Ok : CheckFailed;
    }

    if (auto error = prepareStateDir(config->stateDir)) {
        err() << "claude-sandbox-manager: " << *error << Qt::endl;
        return StateDirUnusable;
    }
    auto loaded = StateStore::load(config->stateDir);
    if (!loaded) {
        err() << "claude-sandbox-manager: " << loaded.error() << Qt::endl;
        return StateDirUnusable;
    }
    for (const QString &warning : loaded->warnings)
        qCritical().noquote() << "state:" << warning;
    if (::geteuid() == 0)
        qWarning().noquote()
            << "RUNNING AS ROOT: every sandbox backend will run as root too. Run the "
               "daemon as an unprivileged user (see docs/SECURITY.md).";

    UnixSignalWatcher signalWatcher({SIGTERM, SIGINT, SIGHUP});
    QObject::connect(&signalWatcher, &UnixSignalWatcher::received, &app, [](int number) {
        qInfo().noquote() << "signal" << number << "received; exiting (sandboxes keep running)";
        QCoreApplication::quit();
    });

    Authenticator authenticator;
    if (!config->tokenFile.isEmpty()) {
        auto fromFile = Authenticator::fromTokenFile(config->tokenFile);
        if (!fromFile) {
            err() << "claude-sandbox-manager: " << fromFile.error() << Qt::endl;
            return BadConfig;
        }
        authenticator = std::move(fromFile).value();
    }
    const QByteArray loginCode = authenticator.loginCode();

    Application application(std::move(config).value(), std::move(catalog),
                            std::move(authenticator));
    int exitCode = Ok;
    application.start(loaded->state, [&](Expected<QString, QString> where) {
        if (!where) {
            err() << "claude-sandbox-manager: " << where.error() << Qt::endl;
            exitCode = CannotListen;
            QCoreApplication::exit(CannotListen);
            return;
        }
        err() << "claude-sandbox-manager " << CSM_VERSION << ": listening on " << *where
              << Qt::endl;
        if (!loginCode.isEmpty() && where->startsWith(u"http"))
            err() << "token auth is on; to log in a browser once, open " << *where
                  << "login?code=" << loginCode << Qt::endl;
    });
    const int result = app.exec();
    return exitCode != Ok ? exitCode : result;
}
