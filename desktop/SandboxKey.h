#pragma once

#include <QHashFunctions>
#include <QMetaType>
#include <QString>

// Identifies one sandbox across hosts: ids are unique per daemon only.
struct SandboxKey
{
    QString host;
    QString id;

    bool isValid() const { return !host.isEmpty() && !id.isEmpty(); }
    friend bool operator==(const SandboxKey &, const SandboxKey &) = default;
    friend size_t qHash(const SandboxKey &key, size_t seed = 0) noexcept
    {
        return qHashMulti(seed, key.host, key.id);
    }
};

Q_DECLARE_METATYPE(SandboxKey)
