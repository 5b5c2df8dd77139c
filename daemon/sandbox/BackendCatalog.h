#pragma once

#include <optional>

#include <QList>
#include <QString>
#include <QStringList>

#include "shared/Expected.h"

enum class DisplayKind
{
    Xvfb,
    Qmp,
    None
};

QString toString(DisplayKind kind);

// How one backend is started: an argv template, never a shell string.
struct BackendSpec
{
    QString name;
    QString description;
    QStringList command;
    QStringList commandNoNetwork; // empty: this backend cannot turn networking off
    DisplayKind display = DisplayKind::Xvfb;

    bool supportsNoNetwork() const { return !commandNoNetwork.isEmpty(); }
};

// The values placeholders in a backend's argv template are replaced with.
struct BackendVars
{
    QString projectDir;
    QString id;
    QString shortId;
    QString name;
    QString display;
    QString xauthority;
    QString qmpSocket;
    QString home;
    QString stateDir;
};

// The configured backends: compiled-in defaults merged with the backends file.
class BackendCatalog
{
public:
    struct Builtins
    {
        QStringList agentCommand; // what the bwrap backend runs inside the sandbox
        QString demoScript;       // the demo backend's program
    };

    static BackendCatalog builtin(const Builtins &builtins);
    // Applies a backends file (see docs/CONFIGURATION.md) on top of this catalog.
    std::optional<QString> merge(const QByteArray &json);

    const BackendSpec *find(const QString &name) const;
    const QList<BackendSpec> &backends() const { return m_backends; }

    static QStringList expand(const QStringList &argvTemplate, const BackendVars &vars);

private:
    QList<BackendSpec> m_backends;
};
