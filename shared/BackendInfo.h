#pragma once

#include <QString>

// One entry of GET /api/backends: a sandbox backend the daemon is configured with.
struct BackendInfo
{
    QString name;
    QString description;
    QString display; // xvfb, qmp or none
    bool supportsNoNetwork = false;
    bool available = false; // its program is installed on the daemon's host

    friend bool operator==(const BackendInfo &, const BackendInfo &) = default;
};
