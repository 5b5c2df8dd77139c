#include "api/JsonApi.h"
#include "api/ErrorStatus.h"

#include <unistd.h>

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>
#include <QWebSocket>

#include "api/AccessPolicy.h"
#include "api/LogStreamHub.h"
#include "api/Preflight.h"
#include "capture/CaptureService.h"
#include "http/HttpServer.h"
#include "metrics/ClaudeMetricsReader.h"
#include "metrics/LogTail.h"
#include "metrics/SystemMetricsSampler.h"
#include "sandbox/RequestValidator.h"
#include "sandbox/SandboxManager.h"
#include "sandbox/StateStore.h"
#include "shared/JsonCodec.h"

namespace {

HttpResponse image(const QByteArray &bytes, const QByteArray &type, const QByteArray &etag)
{
    HttpResponse response = HttpResponse::bytes(bytes, type);
    response.withHeader("ETag", etag).withHeader("Cache-Control", "no-cache");
    return response;
}

} // namespace

JsonApi::JsonApi(Services services, QObject *parent) : QObject(parent), m_services(services)
{
    m_uptime.start();
    const auto forgetList = [this] { m_listJson = QByteArray(); };
    connect(&m_services.sandboxes, &SandboxManager::sandboxChanged, this, forgetList);
    connect(&m_services.sandboxes, &SandboxManager::sandboxRemoved, this, forgetList);
}

void JsonApi::registerRoutes(HttpServer &server)
{
    HttpRouter &router = server.router();
    const auto bind = [this](void (JsonApi::*handler)(const HttpRequest &, const HttpReply &)) {
        return [this, handler](const HttpRequest &request, const HttpReply &reply) {
            (this->*handler)(request, reply);
        };
    };
    router.add("GET", QStringLiteral("/api/sandboxes"), bind(&JsonApi::listSandboxes));
    router.add("POST", QStringLiteral("/api/sandboxes"), bind(&JsonApi::createSandbox));
    router.add("GET", QStringLiteral("/api/sandboxes/{id}"), bind(&JsonApi::getSandbox));
    router.add("DELETE", QStringLiteral("/api/sandboxes/{id}"), bind(&JsonApi::deleteSandbox));
    router.add("POST", QStringLiteral("/api/sandboxes/{id}/stop"), bind(&JsonApi::stopSandbox));
    router.add("POST", QStringLiteral("/api/sandboxes/{id}/start"), bind(&JsonApi::startSandbox));
    router.add("GET", QStringLiteral("/api/sandboxes/{id}/screenshot"), bind(&JsonApi::screenshot));
    router.add("GET", QStringLiteral("/api/sandboxes/{id}/metrics"), bind(&JsonApi::claudeMetrics));
    router.add("GET", QStringLiteral("/api/sandboxes/{id}/logs"), bind(&JsonApi::logs));
    router.add("GET", QStringLiteral("/api/metrics/system"), bind(&JsonApi::systemMetrics));
    router.add("GET", QStringLiteral("/api/metrics/system/history"), bind(&JsonApi::systemHistory));
    router.add("GET", QStringLiteral("/api/health"), bind(&JsonApi::health));
    router.add("GET", QStringLiteral("/api/backends"), bind(&JsonApi::backends));
    server.addWebSocketRoute(
        QStringLiteral("/ws/sandboxes/<arg>/logs"),
        [this](std::unique_ptr<QWebSocket> socket) { openLogStream(std::move(socket)); });
}

bool JsonApi::requireSandbox(const QString &id, const HttpReply &reply) const
{
    if (m_services.sandboxes.sandbox(id))
        return true;
    reply.send(errorResponse(Error::notFound(QStringLiteral("no sandbox with id %1").arg(id))));
    return false;
}

void JsonApi::listSandboxes(const HttpRequest &request, const HttpReply &reply)
{
    // The most requested answer by far (every client polls it): serialised once per change,
    // and a 304 for a client that has it already.
    if (m_listJson.isNull()) {
        m_listJson = QJsonDocument(JsonCodec::toJson(m_services.sandboxes.sandboxes()))
                         .toJson(QJsonDocument::Compact);
        m_listEtag = '"' + QByteArray::number(qHash(m_listJson), 16) + "-l\"";
    }
    if (request.matchesEtag(m_listEtag)) {
        reply.send(HttpResponse::notModified(m_listEtag));
        return;
    }
    HttpResponse response = HttpResponse::bytes(m_listJson, "application/json");
    response.withHeader("ETag", m_listEtag).withHeader("Cache-Control", "no-cache");
    reply.send(response);
}

void JsonApi::createSandbox(const HttpRequest &request, const HttpReply &reply)
{
    auto parsed = JsonCodec::createRequestFromJson(request.body);
    if (!parsed) {
        const FieldError &error = parsed.error();
        reply.send(errorResponse(error.field.isEmpty()
                                     ? Error::badRequest(error.message)
                                     : Error::invalid(error.field, error.message)));
        return;
    }
    m_services.sandboxes.create(*parsed, [reply](Expected<Sandbox, Error> result) {
        if (!result)
            reply.send(errorResponse(result.error()));
        else
            reply.send(HttpResponse::json(JsonCodec::toJson(*result), 201));
    });
}

void JsonApi::getSandbox(const HttpRequest &request, const HttpReply &reply)
{
    const auto sandbox = m_services.sandboxes.sandbox(request.arg(0));
    if (!sandbox) {
        requireSandbox(request.arg(0), reply);
        return;
    }
    reply.send(HttpResponse::json(JsonCodec::toJson(*sandbox)));
}

void JsonApi::deleteSandbox(const HttpRequest &request, const HttpReply &reply)
{
    const QString id = request.arg(0);
    m_services.sandboxes.remove(id, [reply](std::optional<Error> error) {
        reply.send(error ? errorResponse(*error) : HttpResponse::noContent());
    });
}

void JsonApi::stopSandbox(const HttpRequest &request, const HttpReply &reply)
{
    m_services.sandboxes.stop(request.arg(0), [reply](std::optional<Error> error) {
        reply.send(error ? errorResponse(*error) : HttpResponse::noContent());
    });
}

void JsonApi::startSandbox(const HttpRequest &request, const HttpReply &reply)
{
    m_services.sandboxes.start(request.arg(0), [reply](Expected<Sandbox, Error> result) {
        if (!result)
            reply.send(errorResponse(result.error()));
        else
            reply.send(HttpResponse::json(JsonCodec::toJson(*result)));
    });
}

void JsonApi::screenshot(const HttpRequest &request, const HttpReply &reply)
{
    const QString id = request.arg(0);
    if (!requireSandbox(id, reply))
        return;
    const QString size = request.query.queryItemValue(QStringLiteral("size"));
    const QString format = request.query.queryItemValue(QStringLiteral("format"));
    if (!size.isEmpty() && size != u"thumb" && size != u"full") {
        reply.send(errorResponse(
            Error::invalid(QStringLiteral("size"), QStringLiteral("size must be thumb or full"))));
        return;
    }
    if (!format.isEmpty() && format != u"png" && format != u"jpeg") {
        reply.send(errorResponse(Error::invalid(QStringLiteral("format"),
                                                QStringLiteral("format must be png or jpeg"))));
        return;
    }
    const StoredFrame *frame = m_services.capture.store().find(id);
    if (!frame) {
        QString why = QStringLiteral("no screenshot of sandbox %1 yet").arg(id);
        const QString error = m_services.capture.lastError(id);
        if (!error.isEmpty())
            why += QStringLiteral(" (") + error + u')';
        reply.send(HttpResponse::error(404, why));
        return;
    }
    if (size == u"thumb") {
        const QByteArray etag = frame->etag('t');
        reply.send(request.matchesEtag(etag) ? HttpResponse::notModified(etag)
                                             : image(frame->thumbnailJpeg, "image/jpeg", etag));
        return;
    }
    const bool jpeg = format == u"jpeg";
    const QByteArray etag = frame->etag(jpeg ? 'j' : 'p');
    if (request.matchesEtag(etag)) {
        reply.send(HttpResponse::notModified(etag));
        return;
    }
    m_services.capture.fullFrame(
        id, jpeg ? CaptureService::Format::Jpeg : CaptureService::Format::Png, this,
        [reply, jpeg](Expected<const StoredFrame *, QString> result) {
            if (!result) {
                reply.send(HttpResponse::error(404, result.error()));
                return;
            }
            const StoredFrame *full = *result;
            reply.send(jpeg ? image(full->jpeg, "image/jpeg", full->etag('j'))
                            : image(full->png, "image/png", full->etag('p')));
        });
}

void JsonApi::claudeMetrics(const HttpRequest &request, const HttpReply &reply)
{
    const auto sandbox = m_services.sandboxes.sandbox(request.arg(0));
    if (!sandbox) {
        requireSandbox(request.arg(0), reply);
        return;
    }
    m_services.claude.metrics(sandbox->projectDir, this, [reply](const ClaudeMetrics &metrics) {
        reply.send(HttpResponse::json(JsonCodec::toJson(metrics)));
    });
}

void JsonApi::logs(const HttpRequest &request, const HttpReply &reply)
{
    const QString id = request.arg(0);
    if (!requireSandbox(id, reply))
        return;
    const QString path = m_services.sandboxes.logPath(id);
    const QFileInfo info(path);
    if (!info.exists()) {
        reply.send(HttpResponse::error(404, QStringLiteral("sandbox %1 has no log yet").arg(id)));
        return;
    }
    const QByteArray textType = "text/plain; charset=utf-8";
    const QString followValue = request.query.queryItemValue(QStringLiteral("follow"));
    const bool follow = followValue == u"1" || followValue == u"true";
    if (!followValue.isEmpty() && !follow && followValue != u"0" && followValue != u"false") {
        reply.send(errorResponse(
            Error::invalid(QStringLiteral("follow"), QStringLiteral("follow must be 1 or 0"))));
        return;
    }
    std::optional<int> tail;
    if (request.query.hasQueryItem(QStringLiteral("tail"))) {
        bool ok = false;
        const int lines = request.query.queryItemValue(QStringLiteral("tail")).toInt(&ok);
        // Following, 0 means "only what comes next".
        if (!ok || lines < (follow ? 0 : 1) || lines > MaxTailLines) {
            reply.send(errorResponse(Error::invalid(
                QStringLiteral("tail"), QStringLiteral("tail must be a number from %1 to %2")
                                            .arg(follow ? 0 : 1)
                                            .arg(MaxTailLines))));
            return;
        }
        tail = lines;
    }
    if (follow) {
        m_services.logs.addFollower(reply, id, path, tail);
        return;
    }
    if (tail) {
        const int lines = *tail;
        reply.send(HttpResponse::bytes(
            LogTail::lastLines(path, lines, info.size(), 16 * 1024 * 1024), textType));
        return;
    }
    auto *file = new QFile(path);
    if (!file->open(QIODevice::ReadOnly)) {
        reply.send(HttpResponse::error(
            500,
            QStringLiteral("cannot read the log of sandbox %1: %2").arg(id, file->errorString())));
        delete file;
        return;
    }
    if (file->size() <= InlineLogBytes) {
        reply.send(HttpResponse::bytes(file->readAll(), textType));
        delete file;
        return;
    }
    reply.stream(file, textType);
}

void JsonApi::openLogStream(std::unique_ptr<QWebSocket> socket)
{
    const QString id = AccessPolicy::webSocketSandboxId(socket->requestUrl().path());
    if (id.isEmpty() || !m_services.sandboxes.sandbox(id)) {
        socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                      QStringLiteral("no such sandbox"));
        socket.release()->deleteLater();
        return;
    }
    m_services.logs.addClient(std::move(socket), id, m_services.sandboxes.logPath(id));
}

void JsonApi::systemMetrics(const HttpRequest &, const HttpReply &reply)
{
    reply.send(HttpResponse::json(JsonCodec::toJson(m_services.system.current())));
}

void JsonApi::systemHistory(const HttpRequest &, const HttpReply &reply)
{
    QJsonArray array;
    for (const SystemMetrics &sample : m_services.system.history())
        array.append(JsonCodec::toJson(sample));
    reply.send(HttpResponse::json(array));
}

void JsonApi::health(const HttpRequest &, const HttpReply &reply)
{
    const QList<ToolCheck> checks =
        Preflight::run(m_services.captureMethod, m_services.sandboxes.catalog());
    const bool stateOk = !m_services.state.isDirty();
    const bool ok = Preflight::allRequiredFound(checks) && stateOk;
    QJsonObject state{{QStringLiteral("dir"), m_services.stateDir},
                      {QStringLiteral("saved"), stateOk}};
    if (!stateOk)
        state.insert(QStringLiteral("error"), m_services.state.lastError());
    const bool root = ::geteuid() == 0;
    QJsonObject body{
        {QStringLiteral("status"), ok ? QStringLiteral("ok") : QStringLiteral("degraded")},
        {QStringLiteral("version"), QStringLiteral(CSM_VERSION)},
        {QStringLiteral("uptime_seconds"), m_uptime.elapsed() / 1000},
        {QStringLiteral("running_as_root"), root},
        {QStringLiteral("state"), state},
        {QStringLiteral("sandboxes"), m_services.sandboxes.sandboxes().size()},
        {QStringLiteral("tools"), Preflight::toJson(checks)}};
    if (root)
        body.insert(
            QStringLiteral("warning"),
            QStringLiteral("the daemon runs as root, so every sandbox backend runs as root too; "
                           "run it as an unprivileged user (see docs/SECURITY.md)"));
    reply.send(HttpResponse::json(body));
}

void JsonApi::backends(const HttpRequest &, const HttpReply &reply)
{
    QJsonArray array;
    for (const BackendSpec &spec : m_services.sandboxes.catalog().backends()) {
        const BackendInfo info{spec.name, spec.description, toString(spec.display),
                               spec.supportsNoNetwork(),
                               !RequestValidator::resolveProgram(spec.command.first()).isEmpty()};
        array.append(JsonCodec::toJson(info));
    }
    reply.send(HttpResponse::json(array));
}
