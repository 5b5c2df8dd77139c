#pragma once

#include <optional>

#include <QDateTime>
#include <QString>

// RFC 3339 timestamps as the reference daemon writes them (any fraction length, Z or offset).
namespace Rfc3339 {
std::optional<QDateTime> parse(QStringView text);
QString format(const QDateTime &time);
} // namespace Rfc3339
