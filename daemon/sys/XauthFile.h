#pragma once

#include <optional>

#include <QByteArray>
#include <QString>

// Writes X authority files (the format libXau reads) holding one MIT-MAGIC-COOKIE-1, so the
// cookie never appears on a command line.
namespace XauthFile {

QByteArray newCookie();
// A record for every display (what an X server's -auth file needs).
QByteArray serverRecord(const QByteArray &cookie);
// A record for display :number on any host (what a client's XAUTHORITY needs).
QByteArray clientRecord(const QByteArray &cookie, int displayNumber);
// Writes the bytes to path with mode 0600; returns an error sentence on failure.
std::optional<QString> write(const QString &path, const QByteArray &records);
// The cookie of the first MIT-MAGIC-COOKIE-1 record in a file written by write().
QByteArray readCookie(const QString &path);

} // namespace XauthFile
