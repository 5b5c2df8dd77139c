#include "SandboxActions.h"

#include <QClipboard>
#include <QDesktopServices>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>

#include "HostManager.h"
#include "HostStore.h"

Q_LOGGING_CATEGORY(lcActions, "viewer.actions")

SandboxActions::SandboxActions(HostManager &hosts, const HostStore &store, QObject *parent)
    : QObject(parent), m_hosts(hosts), m_store(store)
{}

void SandboxActions::stop(const SandboxKey &key)
{
    HostConnection *host = m_hosts.connection(key.host);
    if (!host)
        return;
    host->api().stopSandbox(key.id, this, [this, key, host](std::optional<ApiFailure> error) {
        if (error) {
            Q_EMIT failed(
                tr("Cannot stop %1 on %2: %3").arg(key.id.left(8), key.host, error->toString()));
            return;
        }
        host->pollNow();
    });
}

void SandboxActions::start(const SandboxKey &key)
{
    HostConnection *host = m_hosts.connection(key.host);
    if (!host)
        return;
    host->api().startSandbox(key.id, this, [this, key, host](ApiResult<Sandbox> result) {
        if (!result) {
            Q_EMIT failed(tr("Cannot start %1 on %2: %3")
                              .arg(key.id.left(8), key.host, result.error().toString()));
            return;
        }
        host->pollNow();
    });
}

void SandboxActions::confirmAndDelete(const SandboxKey &key, const QString &name, QWidget *parent)
{
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Delete sandbox"),
                                tr("Delete %1 on %2?\n\nIt is stopped if it runs, and its log "
                                   "is removed.")
                                    .arg(name, key.host),
                                QMessageBox::Cancel, parent);
    QPushButton *confirm = box->addButton(tr("Delete"), QMessageBox::DestructiveRole);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box, confirm, key] {
        if (box->clickedButton() == confirm)
            remove(key);
    });
    box->open();
}

void SandboxActions::remove(const SandboxKey &key)
{
    HostConnection *host = m_hosts.connection(key.host);
    if (!host)
        return;
    host->api().deleteSandbox(key.id, this, [this, key, host](std::optional<ApiFailure> error) {
        if (error) {
            Q_EMIT failed(
                tr("Cannot delete %1 on %2: %3").arg(key.id.left(8), key.host, error->toString()));
            return;
        }
        host->pollNow();
    });
}

QString SandboxActions::shellQuote(const QString &argument)
{
    static const QRegularExpression safe(QStringLiteral("^[A-Za-z0-9_@%+=:,./-]+$"));
    if (safe.match(argument).hasMatch())
        return argument;
    QString quoted = argument;
    quoted.replace(u'\'', QStringLiteral("'\\''"));
    return u'\'' + quoted + u'\'';
}

QStringList SandboxActions::attachArguments(const QString &hostName,
                                            const QString &tmuxSession) const
{
    const QStringList tmux{QStringLiteral("tmux"), QStringLiteral("attach"), QStringLiteral("-t"),
                           tmuxSession};
    HostConnection *host = m_hosts.connection(hostName);
    if (!host || host->settings().isDirect())
        return tmux;
    const HostSettings &settings = host->settings();
    return QStringList{QStringLiteral("ssh"), QStringLiteral("-t")} + settings.sshOptionList() +
           QStringList{settings.sshDestination} + tmux;
}

QString SandboxActions::attachCommandLine(const QString &host, const QString &tmuxSession) const
{
    QStringList quoted;
    for (const QString &argument : attachArguments(host, tmuxSession))
        quoted.append(shellQuote(argument));
    return quoted.join(u' ');
}

bool SandboxActions::attachInTerminal(const SandboxKey &key, const QString &tmuxSession)
{
    if (tmuxSession.isEmpty()) {
        Q_EMIT failed(tr("%1 has no tmux session to attach to").arg(key.id.left(8)));
        return false;
    }
    QStringList command = QProcess::splitCommand(m_store.terminalCommand());
    if (command.isEmpty()) {
        Q_EMIT failed(tr("No terminal command is set (Settings)"));
        return false;
    }
    const QString program = command.takeFirst();
    command += attachArguments(key.host, tmuxSession);
    qCInfo(lcActions).noquote() << "attach:" << program << command.join(u' ');
    if (!QProcess::startDetached(program, command)) {
        Q_EMIT failed(
            tr("Cannot run the terminal %1: set the terminal command in Settings").arg(program));
        return false;
    }
    return true;
}

void SandboxActions::copyAttachCommand(const SandboxKey &key, const QString &tmuxSession)
{
    const QString line = attachCommandLine(key.host, tmuxSession);
    QGuiApplication::clipboard()->setText(line);
    Q_EMIT succeeded(tr("Copied: %1").arg(line));
}

void SandboxActions::openInBrowser(const SandboxKey &key)
{
    HostConnection *host = m_hosts.connection(key.host);
    if (!host || !host->isUp()) {
        Q_EMIT failed(tr("%1 is not connected").arg(key.host));
        return;
    }
    if (!QDesktopServices::openUrl(host->api().dashboardUrl(key.id)))
        Q_EMIT failed(
            tr("No web browser could open %1").arg(host->api().dashboardUrl(key.id).toString()));
}
