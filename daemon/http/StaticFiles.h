#pragma once

#include <optional>

#include <QByteArray>
#include <QHash>
#include <QString>

// The dashboard's assets: the copies compiled in under a resource root, each of which a
// file of the same path in an override folder (MANAGER_STATIC_DIR) replaces.
class StaticFiles
{
public:
    static constexpr qint64 MaxFileBytes = 16 * 1024 * 1024;

    struct Asset
    {
        QByteArray body;
        QByteArray contentType;
        QByteArray etag;    // quoted
        QByteArray version; // what ?v= must say for the answer to be cached for good
    };

    StaticFiles(QString resourceRoot, QString overrideDir);

    // nullopt for an unknown or refused path (.., hidden files, anything odd).
    std::optional<Asset> find(const QString &path) const;
    // The ?v= value of an asset's current version; empty when it does not exist.
    QByteArray version(const QString &path) const;

    static bool isSafePath(const QString &path);
    static QByteArray contentType(const QString &path);

private:
    std::optional<Asset> load(const QString &file) const;

    QString m_resourceRoot;
    QString m_overrideDir; // canonical; empty when none
    mutable QHash<QString, Asset> m_compiledIn;
};
