#pragma once

#include <optional>

#include "ApiError.h"
#include "CreateRequest.h"

class BackendCatalog;

// Checks a create request against the rules in docs/API.md; names the field at fault.
namespace RequestValidator {

constexpr int MaxNameLength = 64;

std::optional<ApiError> validateName(const QString &name);
std::optional<ApiError> validateProjectDir(const QString &projectDir);
std::optional<ApiError> validate(const CreateRequest &request, const BackendCatalog &catalog);
// The program a backend command runs, resolved in PATH; empty when it is not installed.
QString resolveProgram(const QString &program);

} // namespace RequestValidator
