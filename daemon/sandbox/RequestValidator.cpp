#include "sandbox/RequestValidator.h"

#include <QFileInfo>
#include <QStandardPaths>

#include "sandbox/BackendCatalog.h"

namespace RequestValidator {

namespace {

bool hasControlCharacter(const QString &text)
{
    return std::any_of(text.cbegin(), text.cend(),
                       [](QChar c) { return c.category() == QChar::Other_Control; });
}

} // namespace

std::optional<Error> validateName(const QString &name)
{
    const auto codePoints = name.toUcs4();
    if (codePoints.isEmpty() || name.trimmed().isEmpty())
        return Error::invalid(QStringLiteral("name"), QStringLiteral("name must not be empty"));
    if (codePoints.size() > MaxNameLength)
        return Error::invalid(
            QStringLiteral("name"),
            QStringLiteral("name must be at most %1 characters").arg(MaxNameLength));
    for (const char32_t c : codePoints) {
        if (!QChar::isPrint(c))
            return Error::invalid(QStringLiteral("name"),
                                  QStringLiteral("name must contain only printable characters"));
    }
    return std::nullopt;
}

std::optional<Error> validateProjectDir(const QString &projectDir)
{
    const QString field = QStringLiteral("project_dir");
    if (projectDir.isEmpty())
        return Error::invalid(field, QStringLiteral("project_dir must not be empty"));
    if (!projectDir.startsWith(u'/'))
        return Error::invalid(field, QStringLiteral("project_dir must be an absolute path"));
    if (hasControlCharacter(projectDir) || projectDir.size() > 4096)
        return Error::invalid(field, QStringLiteral("project_dir must be a path of at most 4096 "
                                                    "printable characters"));
    const QFileInfo info(projectDir);
    if (!info.exists())
        return Error::invalid(field,
                              QStringLiteral("project_dir %1 does not exist").arg(projectDir));
    if (!info.isDir())
        return Error::invalid(field,
                              QStringLiteral("project_dir %1 is not a directory").arg(projectDir));
    return std::nullopt;
}

QString resolveProgram(const QString &program)
{
    if (program.contains(u'/')) {
        const QFileInfo info(program);
        return info.isFile() && info.isExecutable() ? info.absoluteFilePath() : QString();
    }
    return QStandardPaths::findExecutable(program);
}

std::optional<Error> validate(const CreateRequest &request, const BackendCatalog &catalog)
{
    if (auto error = validateName(request.name))
        return error;
    const BackendSpec *backend = catalog.find(request.backend);
    if (!backend) {
        QStringList names;
        for (const BackendSpec &spec : catalog.backends())
            names.append(spec.name);
        return Error::invalid(QStringLiteral("backend"),
                              QStringLiteral("backend \"%1\" is not configured (configured: %2)")
                                  .arg(request.backend, names.join(QStringLiteral(", "))));
    }
    if (auto error = validateProjectDir(request.projectDir))
        return error;
    if (!request.network && !backend->supportsNoNetwork())
        return Error::invalid(
            QStringLiteral("network"),
            QStringLiteral("backend %1 cannot turn networking off; create it with "
                           "network true, or configure command_no_network for it")
                .arg(backend->name));
    return std::nullopt;
}

} // namespace RequestValidator
