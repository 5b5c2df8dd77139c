#include "api/Preflight.h"

#include <QJsonObject>

#include "sandbox/BackendCatalog.h"
#include "sandbox/RequestValidator.h"

namespace Preflight {

QList<ToolCheck> run(CaptureMethod capture, const BackendCatalog &catalog)
{
    const auto resolve = [](const QString &program) {
        return RequestValidator::resolveProgram(program);
    };
    bool anyXvfb = false;
    bool anyQmp = false;
    for (const BackendSpec &spec : catalog.backends()) {
        anyXvfb |= spec.display == DisplayKind::Xvfb;
        anyQmp |= spec.display == DisplayKind::Qmp;
    }

    QList<ToolCheck> checks;
    checks.append({QStringLiteral("tmux"), resolve(QStringLiteral("tmux")), true,
                   QStringLiteral("runs each sandbox's backend in a session you can attach to"),
                   QStringLiteral("no sandbox can run")});
    checks.append({QStringLiteral("Xvfb"), resolve(QStringLiteral("Xvfb")), anyXvfb,
                   QStringLiteral("the virtual display of each sandbox"),
                   QStringLiteral("sandboxes of backends with an xvfb display cannot start")});
    checks.append(
        {QStringLiteral("xauth"), resolve(QStringLiteral("xauth")), false,
         QStringLiteral("inspecting a sandbox's X authority file by hand (the daemon writes "
                        "them itself)"),
         QStringLiteral("nothing the daemon does")});
    if (capture == CaptureMethod::Import) {
        checks.append({QStringLiteral("import"), resolve(QStringLiteral("import")), false,
                       QStringLiteral("screenshots of Xvfb displays (MANAGER_CAPTURE=import)"),
                       QStringLiteral("screenshots and thumbnails of Xvfb sandboxes")});
    } else {
        checks.append({QStringLiteral("xshm capture"),
                       QStringLiteral("built in (libxcb, MIT-SHM, DAMAGE)"), false,
                       QStringLiteral("screenshots of Xvfb displays"), QString()});
    }
    checks.append({QStringLiteral("qemu-system-x86_64"),
                   resolve(QStringLiteral("qemu-system-x86_64")), false,
                   QStringLiteral("virtual machines of backends with a qmp display"),
                   anyQmp ? QStringLiteral("VM sandboxes (the vm backend)")
                          : QStringLiteral("nothing configured")});
    for (const BackendSpec &spec : catalog.backends()) {
        const QString program = spec.command.first();
        checks.append({QStringLiteral("backend %1").arg(spec.name), resolve(program), false,
                       QStringLiteral("runs %1").arg(program),
                       QStringLiteral("sandboxes of the %1 backend").arg(spec.name)});
    }
    return checks;
}

bool allRequiredFound(const QList<ToolCheck> &checks)
{
    return std::all_of(checks.cbegin(), checks.cend(),
                       [](const ToolCheck &c) { return c.found() || !c.required; });
}

QString report(const QList<ToolCheck> &checks)
{
    QString out;
    for (const ToolCheck &check : checks) {
        const QString mark = check.found()    ? QStringLiteral("ok     ")
                             : check.required ? QStringLiteral("MISSING")
                                              : QStringLiteral("missing");
        out += QStringLiteral("  [%1] %2  %3\n")
                   .arg(mark, check.name.leftJustified(22),
                        check.found() ? check.path : QStringLiteral("-"));
        out += QStringLiteral("            for: %1\n").arg(check.purpose);
        if (!check.found())
            out += QStringLiteral("            without it: %1%2\n")
                       .arg(check.lostWithout,
                            check.required ? QStringLiteral(" (required)") : QString());
    }
    return out;
}

QJsonArray toJson(const QList<ToolCheck> &checks)
{
    QJsonArray array;
    for (const ToolCheck &check : checks) {
        array.append(QJsonObject{{QStringLiteral("name"), check.name},
                                 {QStringLiteral("found"), check.found()},
                                 {QStringLiteral("path"), check.path},
                                 {QStringLiteral("required"), check.required},
                                 {QStringLiteral("purpose"), check.purpose},
                                 {QStringLiteral("lost_without"), check.lostWithout}});
    }
    return array;
}

} // namespace Preflight
