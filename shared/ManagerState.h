#pragma once

#include <QMap>

#include "shared/Sandbox.h"

// Everything state.json holds: the sandboxes by id and the next display number to try.
struct ManagerState
{
    static constexpr int FirstDisplay = 50;

    QMap<QString, Sandbox> sandboxes;
    int nextDisplay = FirstDisplay;

    friend bool operator==(const ManagerState &, const ManagerState &) = default;
};
