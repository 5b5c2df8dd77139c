#pragma once

#include <optional>

#include "shared/CreateRequest.h"
#include "shared/Error.h"

class BackendCatalog;

// Checks a create request against the rules in docs/API.md; names the field at fault.
namespace RequestValidator {

constexpr int MaxNameLength = 64;

std::optional<Error> validateName(const QString &name);
std::optional<Error> validateProjectDir(const QString &projectDir);
std::optional<Error> validate(const CreateRequest &request, const BackendCatalog &catalog);
// The program a backend command runs, resolved in PATH; empty when it is not installed.
QString resolveProgram(const QString &program);

} // namespace RequestValidator
