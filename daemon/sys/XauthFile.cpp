#include "sys/XauthFile.h"

#include <QFile>
#include <QRandomGenerator>
#include <QSaveFile>

namespace XauthFile {

namespace {

constexpr quint16 FamilyWild = 0xffff;

void appendCounted(QByteArray &out, const QByteArray &field)
{
    out.append(static_cast<char>((field.size() >> 8) & 0xff));
    out.append(static_cast<char>(field.size() & 0xff));
    out.append(field);
}

QByteArray record(const QByteArray &number, const QByteArray &cookie)
{
    QByteArray out;
    out.append(static_cast<char>(FamilyWild >> 8));
    out.append(static_cast<char>(FamilyWild & 0xff));
    appendCounted(out, QByteArray());
    appendCounted(out, number);
    appendCounted(out, QByteArrayLiteral("MIT-MAGIC-COOKIE-1"));
    appendCounted(out, cookie);
    return out;
}

} // namespace

QByteArray newCookie()
{
    QByteArray cookie(16, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(cookie.data()),
                                          cookie.size() / 4);
    return cookie;
}

QByteArray serverRecord(const QByteArray &cookie)
{
    return record(QByteArray(), cookie);
}

QByteArray clientRecord(const QByteArray &cookie, int displayNumber)
{
    return record(QByteArray::number(displayNumber), cookie);
}

std::optional<QString> write(const QString &path, const QByteArray &records)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(records);
    if (!file.commit())
        return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    return std::nullopt;
}

QByteArray readCookie(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray data = file.read(4096);
    qsizetype pos = 2; // family
    const auto counted = [&]() -> QByteArray {
        if (pos + 2 > data.size())
            return {};
        const int length = (static_cast<uchar>(data[pos]) << 8) | static_cast<uchar>(data[pos + 1]);
        pos += 2;
        const QByteArray field = data.mid(pos, length);
        pos += length;
        return field;
    };
    counted(); // address
    counted(); // display number
    if (counted() != "MIT-MAGIC-COOKIE-1")
        return {};
    return counted();
}

} // namespace XauthFile
