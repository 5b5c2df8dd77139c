#include "steer/InputAudit.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcAudit, "manager.audit")

namespace {

// The last lines of a file, at most maxBytes read from its end (entries are short).
QList<QByteArray> lastLines(const QString &path, qint64 maxBytes)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const qint64 start = std::max<qint64>(0, file.size() - maxBytes);
    file.seek(start);
    QByteArray data = file.read(maxBytes);
    if (start > 0) {
        const qsizetype newline = data.indexOf('\n');
        data = newline < 0 ? QByteArray() : data.mid(newline + 1);
    }
    QList<QByteArray> lines = data.split('\n');
    lines.removeAll(QByteArray());
    return lines;
}

} // namespace

InputAudit::InputAudit(QString stateDir) : m_stateDir(std::move(stateDir)) {}

QString InputAudit::path(const QString &sandbox) const
{
    return m_stateDir + QStringLiteral("/sandboxes/") + sandbox +
           QStringLiteral("/input-audit.jsonl");
}

void InputAudit::record(const QString &sandbox, const QString &surface, const Actor &actor,
                        qsizetype bytes, const QString &firstLine)
{
    QString line = firstLine.left(MaxFirstLine);
    const QJsonObject entry{
        {QStringLiteral("at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
        {QStringLiteral("surface"), surface},
        {QStringLiteral("actor"), actor.toJson()},
        {QStringLiteral("bytes"), bytes},
        {QStringLiteral("first_line"), line}};
    qCInfo(lcAudit).noquote() << "input into sandbox" << sandbox << surface << "by"
                              << actor.description << bytes << "bytes"
                              << (line.isEmpty() ? QString() : u'"' + line + u'"');

    const QString file = path(sandbox);
    QDir().mkpath(QFileInfo(file).absolutePath());
    if (QFileInfo(file).size() >= MaxFileBytes) {
        const QString old = file + QStringLiteral(".1");
        QFile::remove(old);
        QFile::rename(file, old);
    }
    QFile out(file);
    if (!out.open(QIODevice::Append | QIODevice::WriteOnly)) {
        qCWarning(lcAudit) << "cannot write the input audit of sandbox" << sandbox << ":"
                           << out.errorString();
        return;
    }
    out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    out.write(QJsonDocument(entry).toJson(QJsonDocument::Compact) + '\n');
}

QJsonArray InputAudit::entries(const QString &sandbox, int count) const
{
    // An entry is well under 1 KiB: this much of each file holds `count` of them.
    const qint64 budget = qint64(count) * 1024;
    const QString file = path(sandbox);
    QList<QByteArray> lines = lastLines(file, budget);
    if (lines.size() < count)
        lines = lastLines(file + QStringLiteral(".1"), budget) + lines;
    QJsonArray result;
    for (qsizetype i = std::max<qsizetype>(0, lines.size() - count); i < lines.size(); ++i) {
        const QJsonDocument doc = QJsonDocument::fromJson(lines[i]);
        if (doc.isObject())
            result.append(doc.object());
    }
    return result;
}

void InputAudit::removeSandbox(const QString &sandbox)
{
    const QString file = path(sandbox);
    QFile::remove(file);
    QFile::remove(file + QStringLiteral(".1"));
    QDir().rmdir(QFileInfo(file).absolutePath()); // only when nothing else lives there
}
