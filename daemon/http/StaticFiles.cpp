#include "http/StaticFiles.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>

namespace {

QByteArray digest(const QByteArray &body)
{
    return QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex().left(16);
}

} // namespace

StaticFiles::StaticFiles(QString resourceRoot, QString overrideDir)
    : m_resourceRoot(std::move(resourceRoot))
{
    if (!overrideDir.isEmpty())
        m_overrideDir = QFileInfo(overrideDir).canonicalFilePath();
}

bool StaticFiles::isSafePath(const QString &path)
{
    if (path.isEmpty() || path.size() > 256)
        return false;
    for (const QString &segment : path.split(u'/')) {
        // No "..", no hidden files, no empty segments (no "//" or leading "/").
        if (segment.isEmpty() || segment.startsWith(u'.'))
            return false;
        for (const QChar c : segment) {
            const bool ok = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') ||
                            (c >= u'0' && c <= u'9') || c == u'.' || c == u'-' || c == u'_';
            if (!ok)
                return false;
        }
    }
    return true;
}

QByteArray StaticFiles::contentType(const QString &path)
{
    static const QHash<QString, QByteArray> types{
        {QStringLiteral("js"), "text/javascript; charset=utf-8"},
        {QStringLiteral("mjs"), "text/javascript; charset=utf-8"},
        {QStringLiteral("css"), "text/css; charset=utf-8"},
        {QStringLiteral("html"), "text/html; charset=utf-8"},
        {QStringLiteral("json"), "application/json"},
        {QStringLiteral("map"), "application/json"},
        {QStringLiteral("svg"), "image/svg+xml"},
        {QStringLiteral("png"), "image/png"},
        {QStringLiteral("jpg"), "image/jpeg"},
        {QStringLiteral("ico"), "image/x-icon"},
        {QStringLiteral("woff2"), "font/woff2"},
        {QStringLiteral("txt"), "text/plain; charset=utf-8"},
        {QStringLiteral("md"), "text/plain; charset=utf-8"},
    };
    const QString name = path.section(u'/', -1);
    if (name == u"LICENSE" || name.startsWith(QStringLiteral("LICENSE.")))
        return "text/plain; charset=utf-8";
    return types.value(name.section(u'.', -1).toLower(), "application/octet-stream");
}

std::optional<StaticFiles::Asset> StaticFiles::load(const QString &file) const
{
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly) || in.size() > MaxFileBytes)
        return std::nullopt;
    Asset asset;
    asset.body = in.readAll();
    asset.contentType = contentType(file);
    asset.version = digest(asset.body);
    asset.etag = '"' + asset.version + '"';
    return asset;
}

std::optional<StaticFiles::Asset> StaticFiles::find(const QString &path) const
{
    if (!isSafePath(path))
        return std::nullopt;
    if (!m_overrideDir.isEmpty()) {
        // Read on every request (a developer edits these); the canonical path must stay
        // inside the folder, so a symlink cannot lead out of it.
        const QFileInfo info(m_overrideDir + u'/' + path);
        const QString canonical = info.canonicalFilePath();
        if (info.isFile() && canonical.startsWith(m_overrideDir + u'/'))
            return load(canonical);
    }
    if (const auto it = m_compiledIn.constFind(path); it != m_compiledIn.cend())
        return *it;
    auto asset = load(m_resourceRoot + u'/' + path);
    if (asset)
        m_compiledIn.insert(path, *asset);
    return asset;
}

QByteArray StaticFiles::version(const QString &path) const
{
    const auto asset = find(path);
    return asset ? asset->version : QByteArray();
}
