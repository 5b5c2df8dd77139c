#include "shared/JsonCodec.h"

#include <QJsonDocument>

#include "shared/Rfc3339.h"

namespace JsonCodec {

namespace {

namespace Key {
constexpr QLatin1StringView Id{"id"};
constexpr QLatin1StringView Name{"name"};
constexpr QLatin1StringView Backend{"backend"};
constexpr QLatin1StringView ProjectDir{"project_dir"};
constexpr QLatin1StringView Status{"status"};
constexpr QLatin1StringView DisplayNum{"display_num"};
constexpr QLatin1StringView TmuxSession{"tmux_session"};
constexpr QLatin1StringView PidXvfb{"pid_xvfb"};
constexpr QLatin1StringView QmpSocket{"qemu_qmp_socket"};
constexpr QLatin1StringView Network{"network"};
constexpr QLatin1StringView CreatedAt{"created_at"};
constexpr QLatin1StringView StartedAt{"started_at"};
constexpr QLatin1StringView LastActivityAt{"last_activity_at"};
constexpr QLatin1StringView ExitStatus{"exit_status"};
constexpr QLatin1StringView Reason{"reason"};
constexpr QLatin1StringView XvfbStartTicks{"xvfb_start_ticks"};
constexpr QLatin1StringView BootId{"boot_id"};
constexpr QLatin1StringView Sandboxes{"sandboxes"};
constexpr QLatin1StringView NextDisplay{"next_display"};

constexpr QLatin1StringView InputTokens{"input_tokens"};
constexpr QLatin1StringView OutputTokens{"output_tokens"};
constexpr QLatin1StringView CacheCreationTokens{"cache_creation_tokens"};
constexpr QLatin1StringView CacheReadTokens{"cache_read_tokens"};
constexpr QLatin1StringView MessageCount{"message_count"};
constexpr QLatin1StringView ToolUseCount{"tool_use_count"};
constexpr QLatin1StringView SessionCount{"session_count"};

constexpr QLatin1StringView CpuUsage{"cpu_usage"};
constexpr QLatin1StringView MemoryUsed{"memory_used"};
constexpr QLatin1StringView MemoryTotal{"memory_total"};
constexpr QLatin1StringView DiskUsed{"disk_used"};
constexpr QLatin1StringView DiskTotal{"disk_total"};
constexpr QLatin1StringView NetRxBytes{"net_rx_bytes"};
constexpr QLatin1StringView NetTxBytes{"net_tx_bytes"};
constexpr QLatin1StringView Timestamp{"timestamp"};

constexpr QLatin1StringView Error{"error"};
constexpr QLatin1StringView Field{"field"};

constexpr QLatin1StringView Description{"description"};
constexpr QLatin1StringView Display{"display"};
constexpr QLatin1StringView SupportsNoNetwork{"supports_no_network"};
constexpr QLatin1StringView Available{"available"};
} // namespace Key

QJsonValue optionalTime(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(Rfc3339::format(time)) : QJsonValue(QJsonValue::Null);
}

QJsonValue optionalString(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

template<typename T>
QJsonValue optionalNumber(const std::optional<T> &number)
{
    return number ? QJsonValue(static_cast<qint64>(*number)) : QJsonValue(QJsonValue::Null);
}

// JSON numbers are doubles; counters above 2^53 lose precision, which no token count reaches.
QJsonValue counter(quint64 value)
{
    return QJsonValue(static_cast<qint64>(value));
}

std::optional<quint64> readCounter(const QJsonObject &object, QLatin1StringView key)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return 0;
    if (!value.isDouble() || value.toDouble() < 0)
        return std::nullopt;
    return static_cast<quint64>(value.toDouble());
}

QString typeError(QLatin1StringView key, const char *expected)
{
    return QString(key) + QStringLiteral(": expected ") + QLatin1StringView(expected);
}

} // namespace

QJsonObject toJson(const Sandbox &sandbox, Audience audience)
{
    QJsonObject object{
        {Key::Id, sandbox.id},
        {Key::Name, sandbox.name},
        {Key::Backend, sandbox.backend},
        {Key::ProjectDir, sandbox.projectDir},
        {Key::Status, toString(sandbox.status)},
        {Key::DisplayNum, optionalNumber(sandbox.displayNum)},
        {Key::TmuxSession, optionalString(sandbox.tmuxSession)},
        {Key::PidXvfb, optionalNumber(sandbox.pidXvfb)},
        {Key::QmpSocket, optionalString(sandbox.qmpSocket)},
        {Key::Network, sandbox.network},
        {Key::CreatedAt, optionalTime(sandbox.createdAt)},
        {Key::StartedAt, optionalTime(sandbox.startedAt)},
        {Key::LastActivityAt, optionalTime(sandbox.lastActivityAt)},
        {Key::ExitStatus, optionalNumber(sandbox.exitStatus)},
        {Key::Reason, optionalString(sandbox.reason)},
    };
    if (audience == Audience::StateFile) {
        if (sandbox.xvfbStartTicks != 0)
            object.insert(Key::XvfbStartTicks, QString::number(sandbox.xvfbStartTicks));
        if (!sandbox.bootId.isEmpty())
            object.insert(Key::BootId, sandbox.bootId);
    }
    return object;
}

Expected<Sandbox, QString> sandboxFromJson(const QJsonObject &object)
{
    Sandbox sandbox;
    const auto requireString = [&](QLatin1StringView key, QString &out) -> std::optional<QString> {
        const QJsonValue value = object.value(key);
        if (!value.isString() || value.toString().isEmpty())
            return typeError(key, "a non-empty string");
        out = value.toString();
        return std::nullopt;
    };
    for (const auto &[key, out] : {std::pair{Key::Id, &sandbox.id},
                                   {Key::Name, &sandbox.name},
                                   {Key::Backend, &sandbox.backend},
                                   {Key::ProjectDir, &sandbox.projectDir}}) {
        if (auto error = requireString(key, *out))
            return *error;
    }

    const auto status = sandboxStatusFromString(object.value(Key::Status).toString());
    if (!status)
        return typeError(Key::Status, "running, stopped or dead");
    sandbox.status = *status;

    const auto created = Rfc3339::parse(object.value(Key::CreatedAt).toString());
    if (!created)
        return typeError(Key::CreatedAt, "an RFC 3339 timestamp");
    sandbox.createdAt = *created;

    const auto optionalInt =
        [&](QLatin1StringView key) -> Expected<std::optional<qint64>, QString> {
        const QJsonValue value = object.value(key);
        if (value.isUndefined() || value.isNull())
            return std::optional<qint64>{};
        if (!value.isDouble())
            return typeError(key, "a number or null");
        return std::optional<qint64>{value.toInteger()};
    };
    const auto display = optionalInt(Key::DisplayNum);
    if (!display)
        return display.error();
    if (*display)
        sandbox.displayNum = static_cast<int>(**display);
    const auto pid = optionalInt(Key::PidXvfb);
    if (!pid)
        return pid.error();
    sandbox.pidXvfb = *pid;
    const auto exitStatus = optionalInt(Key::ExitStatus);
    if (!exitStatus)
        return exitStatus.error();
    if (*exitStatus)
        sandbox.exitStatus = static_cast<int>(**exitStatus);

    sandbox.tmuxSession = object.value(Key::TmuxSession).toString();
    sandbox.qmpSocket = object.value(Key::QmpSocket).toString();
    sandbox.network = object.value(Key::Network).toBool(true);
    sandbox.reason = object.value(Key::Reason).toString();
    sandbox.bootId = object.value(Key::BootId).toString();
    sandbox.xvfbStartTicks = object.value(Key::XvfbStartTicks).toString().toULongLong();
    for (const auto &[key, out] : {std::pair{Key::StartedAt, &sandbox.startedAt},
                                   {Key::LastActivityAt, &sandbox.lastActivityAt}}) {
        const QJsonValue value = object.value(key);
        if (!value.isString())
            continue;
        if (const auto time = Rfc3339::parse(value.toString()))
            *out = *time;
    }
    return sandbox;
}

QJsonArray toJson(const QList<Sandbox> &sandboxes)
{
    QJsonArray array;
    for (const Sandbox &sandbox : sandboxes)
        array.append(toJson(sandbox));
    return array;
}

Expected<QList<Sandbox>, QString> sandboxListFromJson(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (!document.isArray())
        return QStringLiteral("expected a JSON array of sandboxes");
    QList<Sandbox> sandboxes;
    for (const QJsonValue &value : document.array()) {
        auto sandbox = sandboxFromJson(value.toObject());
        if (!sandbox)
            return sandbox.error();
        sandboxes.append(std::move(sandbox).value());
    }
    return sandboxes;
}

QByteArray stateToJson(const ManagerState &state)
{
    QJsonObject sandboxes;
    for (const Sandbox &sandbox : state.sandboxes)
        sandboxes.insert(sandbox.id, toJson(sandbox, Audience::StateFile));
    const QJsonObject root{{Key::Sandboxes, sandboxes}, {Key::NextDisplay, state.nextDisplay}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Expected<ManagerState, QString> stateFromJson(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return QStringLiteral("not JSON: %1 at offset %2")
            .arg(parseError.errorString())
            .arg(parseError.offset);
    if (!document.isObject())
        return QStringLiteral("expected a JSON object");
    const QJsonObject root = document.object();
    const QJsonValue sandboxesValue = root.value(Key::Sandboxes);
    if (!sandboxesValue.isObject())
        return typeError(Key::Sandboxes, "an object keyed by sandbox id");

    ManagerState state;
    const QJsonObject sandboxes = sandboxesValue.toObject();
    for (auto it = sandboxes.begin(); it != sandboxes.end(); ++it) {
        auto sandbox = sandboxFromJson(it.value().toObject());
        if (!sandbox)
            return QStringLiteral("sandbox %1: %2").arg(it.key(), sandbox.error());
        if (sandbox->id != it.key())
            return QStringLiteral("sandbox %1: its id field says %2").arg(it.key(), sandbox->id);
        state.sandboxes.insert(it.key(), std::move(sandbox).value());
    }
    const QJsonValue next = root.value(Key::NextDisplay);
    if (next.isDouble())
        state.nextDisplay = next.toInt(ManagerState::FirstDisplay);
    else if (!next.isUndefined())
        return typeError(Key::NextDisplay, "a number");
    return state;
}

QJsonObject toJson(const ClaudeMetrics &metrics)
{
    return {
        {Key::InputTokens, counter(metrics.inputTokens)},
        {Key::OutputTokens, counter(metrics.outputTokens)},
        {Key::CacheCreationTokens, counter(metrics.cacheCreationTokens)},
        {Key::CacheReadTokens, counter(metrics.cacheReadTokens)},
        {Key::MessageCount, counter(metrics.messageCount)},
        {Key::ToolUseCount, counter(metrics.toolUseCount)},
        {Key::SessionCount, counter(metrics.sessionCount)},
    };
}

Expected<ClaudeMetrics, QString> claudeMetricsFromJson(const QJsonObject &object)
{
    ClaudeMetrics metrics;
    for (const auto &[key, out] : {std::pair{Key::InputTokens, &metrics.inputTokens},
                                   {Key::OutputTokens, &metrics.outputTokens},
                                   {Key::CacheCreationTokens, &metrics.cacheCreationTokens},
                                   {Key::CacheReadTokens, &metrics.cacheReadTokens},
                                   {Key::MessageCount, &metrics.messageCount},
                                   {Key::ToolUseCount, &metrics.toolUseCount},
                                   {Key::SessionCount, &metrics.sessionCount}}) {
        const auto value = readCounter(object, key);
        if (!value)
            return typeError(key, "a non-negative number");
        *out = *value;
    }
    return metrics;
}

QJsonObject toJson(const SystemMetrics &metrics)
{
    return {
        {Key::CpuUsage, metrics.cpuUsage},
        {Key::MemoryUsed, counter(metrics.memoryUsed)},
        {Key::MemoryTotal, counter(metrics.memoryTotal)},
        {Key::DiskUsed, counter(metrics.diskUsed)},
        {Key::DiskTotal, counter(metrics.diskTotal)},
        {Key::NetRxBytes, counter(metrics.netRxBytes)},
        {Key::NetTxBytes, counter(metrics.netTxBytes)},
        {Key::Timestamp, metrics.timestampMs},
    };
}

Expected<SystemMetrics, QString> systemMetricsFromJson(const QJsonObject &object)
{
    SystemMetrics metrics;
    const QJsonValue cpu = object.value(Key::CpuUsage);
    if (!cpu.isDouble())
        return typeError(Key::CpuUsage, "a number");
    metrics.cpuUsage = cpu.toDouble();
    for (const auto &[key, out] : {std::pair{Key::MemoryUsed, &metrics.memoryUsed},
                                   {Key::MemoryTotal, &metrics.memoryTotal},
                                   {Key::DiskUsed, &metrics.diskUsed},
                                   {Key::DiskTotal, &metrics.diskTotal},
                                   {Key::NetRxBytes, &metrics.netRxBytes},
                                   {Key::NetTxBytes, &metrics.netTxBytes}}) {
        const auto value = readCounter(object, key);
        if (!value)
            return typeError(key, "a non-negative number");
        *out = *value;
    }
    metrics.timestampMs = object.value(Key::Timestamp).toInteger();
    return metrics;
}

QJsonObject toJson(const CreateRequest &request)
{
    return {{Key::Name, request.name},
            {Key::Backend, request.backend},
            {Key::ProjectDir, request.projectDir},
            {Key::Network, request.network}};
}

Expected<CreateRequest, FieldError> createRequestFromJson(const QByteArray &body)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return FieldError{{},
                          QStringLiteral("request body is not valid JSON: %1 at offset %2")
                              .arg(parseError.errorString())
                              .arg(parseError.offset)};
    if (!document.isObject())
        return FieldError{{}, QStringLiteral("request body must be a JSON object")};
    const QJsonObject object = document.object();

    CreateRequest request;
    for (const auto &[key, out] : {std::pair{Key::Name, &request.name},
                                   {Key::Backend, &request.backend},
                                   {Key::ProjectDir, &request.projectDir}}) {
        const QJsonValue value = object.value(key);
        if (value.isUndefined() || value.isNull())
            return FieldError{QString(key), QString(key) + QStringLiteral(" is required")};
        if (!value.isString())
            return FieldError{QString(key), QString(key) + QStringLiteral(" must be a string")};
        *out = value.toString();
    }
    const QJsonValue network = object.value(Key::Network);
    if (!network.isUndefined() && !network.isNull()) {
        if (!network.isBool())
            return FieldError{QString(Key::Network),
                              QStringLiteral("network must be true or false")};
        request.network = network.toBool();
    }
    return request;
}

QJsonObject errorToJson(const QString &message, const QString &field)
{
    QJsonObject object{{Key::Error, message}};
    if (!field.isEmpty())
        object.insert(Key::Field, field);
    return object;
}

std::optional<FieldError> errorFromJson(const QByteArray &body)
{
    const QJsonDocument document = QJsonDocument::fromJson(body);
    const QJsonValue error = document.object().value(Key::Error);
    if (!error.isString())
        return std::nullopt;
    return FieldError{document.object().value(Key::Field).toString(), error.toString()};
}

QJsonObject toJson(const BackendInfo &backend)
{
    return {{Key::Name, backend.name},
            {Key::Description, backend.description},
            {Key::Display, backend.display},
            {Key::SupportsNoNetwork, backend.supportsNoNetwork},
            {Key::Available, backend.available}};
}

Expected<QList<BackendInfo>, QString> backendListFromJson(const QByteArray &json)
{
    const QJsonDocument document = QJsonDocument::fromJson(json);
    if (!document.isArray())
        return QStringLiteral("expected a JSON array of backends");
    QList<BackendInfo> backends;
    for (const QJsonValue &value : document.array()) {
        const QJsonObject object = value.toObject();
        BackendInfo backend;
        backend.name = object.value(Key::Name).toString();
        if (backend.name.isEmpty())
            return typeError(Key::Name, "a non-empty string");
        backend.description = object.value(Key::Description).toString();
        backend.display = object.value(Key::Display).toString();
        backend.supportsNoNetwork = object.value(Key::SupportsNoNetwork).toBool();
        backend.available = object.value(Key::Available).toBool(true);
        backends.append(backend);
    }
    return backends;
}

} // namespace JsonCodec
