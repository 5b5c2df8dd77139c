#pragma once

#include <QJsonObject>
#include <QString>

// Who sends input or holds control: which client, from where, under which login session.
struct Actor
{
    QString client;      // "web" | "viewer" | "cli"
    QString peer;        // "127.0.0.1:54321" or "unix"
    QString session;     // login session, may be empty
    QString description; // human label, e.g. "web 127.0.0.1:54321"

    QJsonObject toJson() const; // {client, peer, session?, description}
};
