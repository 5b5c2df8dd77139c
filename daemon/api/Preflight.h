#pragma once

#include <QJsonArray>
#include <QList>
#include <QString>

#include "capture/CaptureMethod.h"

class BackendCatalog;

// One runtime tool the daemon or a backend needs, and whether this machine has it.
struct ToolCheck
{
    QString name;
    QString path; // empty when missing
    bool required = false;
    QString purpose;     // what it is used for
    QString lostWithout; // what stops working without it

    bool found() const { return !path.isEmpty(); }
};

// The checks behind --check and GET /api/health.
namespace Preflight {

QList<ToolCheck> run(CaptureMethod capture, const BackendCatalog &catalog);
bool allRequiredFound(const QList<ToolCheck> &checks);
QString report(const QList<ToolCheck> &checks);
QJsonArray toJson(const QList<ToolCheck> &checks);

} // namespace Preflight
