#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

#include "shared/BackendInfo.h"
#include "shared/ClaudeMetrics.h"
#include "shared/CreateRequest.h"
#include "shared/Expected.h"
#include "shared/ManagerState.h"
#include "shared/Sandbox.h"
#include "shared/SystemMetrics.h"

// The one place that knows the JSON keys of the API and of state.json.
namespace JsonCodec {

enum class Audience
{
    Api,
    StateFile
};

QJsonObject toJson(const Sandbox &sandbox, Audience audience = Audience::Api);
Expected<Sandbox, QString> sandboxFromJson(const QJsonObject &object);
QJsonArray toJson(const QList<Sandbox> &sandboxes);
Expected<QList<Sandbox>, QString> sandboxListFromJson(const QByteArray &json);

QByteArray stateToJson(const ManagerState &state);
Expected<ManagerState, QString> stateFromJson(const QByteArray &json);

QJsonObject toJson(const ClaudeMetrics &metrics);
Expected<ClaudeMetrics, QString> claudeMetricsFromJson(const QJsonObject &object);

QJsonObject toJson(const SystemMetrics &metrics);
Expected<SystemMetrics, QString> systemMetricsFromJson(const QJsonObject &object);

QJsonObject toJson(const CreateRequest &request);
Expected<CreateRequest, FieldError> createRequestFromJson(const QByteArray &body);

QJsonObject errorToJson(const QString &message, const QString &field = {});
// The {"error","field"} body of a refused request, as the daemon's clients read it.
std::optional<FieldError> errorFromJson(const QByteArray &body);

QJsonObject toJson(const BackendInfo &backend);
Expected<QList<BackendInfo>, QString> backendListFromJson(const QByteArray &json);

} // namespace JsonCodec
