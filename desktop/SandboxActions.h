#pragma once

#include <QObject>
#include <QStringList>

#include "SandboxKey.h"

class HostManager;
class HostStore;
class QWidget;

// What a user can do to one sandbox, from a tile's menu or its detail window: stop, start,
// delete (confirmed), attach in a terminal, copy the attach command, open the dashboard.
// Failures are reported through failed(), never as a dialog per error.
class SandboxActions : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxActions)

public:
    SandboxActions(HostManager &hosts, const HostStore &store, QObject *parent = nullptr);

    void stop(const SandboxKey &key);
    void start(const SandboxKey &key);
    // Asks first, without blocking: the dialog is window-modal to parent.
    void confirmAndDelete(const SandboxKey &key, const QString &name, QWidget *parent);
    void remove(const SandboxKey &key);
    bool attachInTerminal(const SandboxKey &key, const QString &tmuxSession);
    void copyAttachCommand(const SandboxKey &key, const QString &tmuxSession);
    void openInBrowser(const SandboxKey &key);

    // The argv that attaches to a sandbox's tmux session from this machine.
    QStringList attachArguments(const QString &host, const QString &tmuxSession) const;
    QString attachCommandLine(const QString &host, const QString &tmuxSession) const;
    static QString shellQuote(const QString &argument);

Q_SIGNALS:
    void succeeded(const QString &message);
    void failed(const QString &message);

private:
    HostManager &m_hosts;
    const HostStore &m_store;
};
