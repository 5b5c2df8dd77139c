#include "shared/ApiClient.h"

#include <utility>

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QUrlQuery>

#include "shared/JsonCodec.h"

namespace {

constexpr qsizetype MaxErrorTextBytes = 500;
constexpr char CancelledProperty[] = "csm_cancelled";

int statusOf(const QNetworkReply &reply)
{
    return reply.attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

ApiFailure parseFailure(const QString &message)
{
    return ApiFailure{ApiFailure::Kind::Parse, 0, QNetworkReply::NoError, message, {}};
}

} // namespace

QString ApiFailure::toString() const
{
    switch (kind) {
    case Kind::Network:
        return message;
    case Kind::Http:
        return field.isEmpty()
                   ? QStringLiteral("HTTP %1: %2").arg(httpStatus).arg(message)
                   : QStringLiteral("HTTP %1: %2 (%3)").arg(httpStatus).arg(message, field);
    case Kind::Parse:
        return QStringLiteral("unreadable answer: ") + message;
    case Kind::Cancelled:
        return message;
    }
    return message;
}

ApiClient::ApiClient(QNetworkAccessManager &network, QUrl baseUrl, QObject *parent)
    : QObject(parent), m_network(network), m_baseUrl(std::move(baseUrl))
{}

ApiClient::~ApiClient()
{
    // No callbacks from here: their contexts may be half destroyed (often they own us).
    for (QNetworkReply *reply : std::exchange(m_pending, {})) {
        reply->disconnect();
        reply->abort();
        reply->deleteLater();
    }
}

void ApiClient::setBaseUrl(const QUrl &url)
{
    m_listEtag.clear(); // another daemon, perhaps
    if (url == m_baseUrl)
        return;
    abortAll();
    m_baseUrl = url;
}

void ApiClient::abortAll()
{
    const QSet<QNetworkReply *> pending = m_pending;
    for (QNetworkReply *reply : pending) {
        reply->setProperty(CancelledProperty, true);
        reply->abort();
    }
}

QUrl ApiClient::url(const QString &path, const QString &query) const
{
    QUrl result = m_baseUrl;
    QString base = result.path();
    if (base.endsWith(u'/'))
        base.chop(1);
    result.setPath(base + path);
    result.setQuery(query.isEmpty() ? QString() : query);
    return result;
}

QUrl ApiClient::dashboardUrl(const QString &id) const
{
    return url(id.isEmpty() ? QStringLiteral("/") : QStringLiteral("/sandboxes/") + id);
}

QNetworkRequest ApiClient::request(const QUrl &target) const
{
    QNetworkRequest request(target);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(static_cast<int>(m_timeout.count()));
    request.setRawHeader("Accept", "application/json");
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    return request;
}

void ApiClient::send(const QByteArray &method, const QUrl &target, const QByteArray &body,
                     const QList<QPair<QByteArray, QByteArray>> &headers, const QObject *context,
                     Handler handler)
{
    QNetworkRequest req = request(target);
    for (const auto &[name, value] : headers)
        req.setRawHeader(name, value);
    // The daemon refuses state-changing requests that a browser form could forge; JSON
    // content is one a form cannot send.
    if (method != "GET")
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply =
        method == "GET" ? m_network.get(req) : m_network.sendCustomRequest(req, method, body);
    m_pending.insert(reply);
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        m_pending.remove(reply);
        reply->deleteLater();
    });
    Q_ASSERT(context);
    connect(reply, &QNetworkReply::finished, context,
            [reply, handler = std::move(handler)] { handler(*reply); });
}

std::optional<ApiFailure> ApiClient::failure(QNetworkReply &reply)
{
    if (reply.property(CancelledProperty).toBool())
        return ApiFailure{
            ApiFailure::Kind::Cancelled, 0, reply.error(), QStringLiteral("cancelled"), {}};
    const int status = statusOf(reply);
    if (status == 0) {
        QString message = reply.errorString();
        if (reply.error() == QNetworkReply::OperationCanceledError)
            message = QStringLiteral("no answer in time (%1)").arg(reply.url().authority());
        return ApiFailure{ApiFailure::Kind::Network, 0, reply.error(), message, {}};
    }
    if (status < 400)
        return std::nullopt;
    const QByteArray body = reply.readAll();
    if (const auto error = JsonCodec::errorFromJson(body))
        return ApiFailure{ApiFailure::Kind::Http, status, reply.error(), error->message,
                          error->field};
    QString text = QString::fromUtf8(body.left(MaxErrorTextBytes)).trimmed();
    if (text.isEmpty())
        text = reply.attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    return ApiFailure{ApiFailure::Kind::Http, status, reply.error(), text, {}};
}

template<typename T, typename Parse>
void ApiClient::sendParsed(const QByteArray &method, const QString &path, const QByteArray &body,
                           const QObject *context, Callback<T> done, Parse parse)
{
    send(method, url(path), body, {}, context,
         [done = std::move(done), parse = std::move(parse)](QNetworkReply &reply) {
             if (auto error = failure(reply)) {
                 done(std::move(*error));
                 return;
             }
             auto parsed = parse(reply.readAll());
             if (!parsed) {
                 done(parseFailure(parsed.error()));
                 return;
             }
             done(std::move(parsed).value());
         });
}

namespace {

Expected<QJsonObject, QString> jsonObject(const QByteArray &body)
{
    const QJsonDocument document = QJsonDocument::fromJson(body);
    if (!document.isObject())
        return QStringLiteral("expected a JSON object");
    return document.object();
}

Expected<Sandbox, QString> sandboxFromBody(const QByteArray &body)
{
    const auto object = jsonObject(body);
    if (!object)
        return object.error();
    return JsonCodec::sandboxFromJson(*object);
}

} // namespace

void ApiClient::listSandboxes(const QObject *context, Callback<QList<Sandbox>> done)
{
    // Polled every few seconds: revalidated with the list's ETag, so an unchanged list
    // costs a 304 and is answered from the last copy.
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!m_listEtag.isEmpty())
        headers.append({"If-None-Match", m_listEtag});
    send("GET", url(QStringLiteral("/api/sandboxes")), {}, headers, context,
         [this, done = std::move(done)](QNetworkReply &reply) {
             if (statusOf(reply) == 304) {
                 done(m_lastList);
                 return;
             }
             if (auto error = failure(reply)) {
                 done(std::move(*error));
                 return;
             }
             auto list = JsonCodec::sandboxListFromJson(reply.readAll());
             if (!list) {
                 done(parseFailure(list.error()));
                 return;
             }
             m_listEtag = reply.rawHeader("ETag");
             m_lastList = *list;
             done(std::move(list).value());
         });
}

void ApiClient::sandbox(const QString &id, const QObject *context, Callback<Sandbox> done)
{
    sendParsed<Sandbox>("GET", QStringLiteral("/api/sandboxes/") + id, {}, context, std::move(done),
                        &sandboxFromBody);
}

void ApiClient::createSandbox(const CreateRequest &create, const QObject *context,
                              Callback<Sandbox> done)
{
    const QByteArray body = QJsonDocument(JsonCodec::toJson(create)).toJson(QJsonDocument::Compact);
    sendParsed<Sandbox>("POST", QStringLiteral("/api/sandboxes"), body, context, std::move(done),
                        &sandboxFromBody);
}

void ApiClient::stopSandbox(const QString &id, const QObject *context, Done done)
{
    send("POST", url(QStringLiteral("/api/sandboxes/%1/stop").arg(id)), {}, {}, context,
         [done = std::move(done)](QNetworkReply &reply) { done(failure(reply)); });
}

void ApiClient::startSandbox(const QString &id, const QObject *context, Callback<Sandbox> done)
{
    sendParsed<Sandbox>("POST", QStringLiteral("/api/sandboxes/%1/start").arg(id), {}, context,
                        std::move(done), &sandboxFromBody);
}

void ApiClient::sendInput(const QString &id, const QJsonObject &input, const QObject *context,
                          Done done)
{
    send("POST", url(QStringLiteral("/api/sandboxes/%1/input").arg(id)),
         QJsonDocument(input).toJson(QJsonDocument::Compact),
         {{"Content-Type", "application/json"}, {"X-CSM-Client", "viewer"}}, context,
         [done = std::move(done)](QNetworkReply &reply) { done(failure(reply)); });
}

QNetworkRequest ApiClient::terminalStreamRequest(const QString &id) const
{
    QUrl target =
        url(QStringLiteral("/ws/sandboxes/%1/terminal").arg(id), QStringLiteral("client=viewer"));
    target.setScheme(target.scheme() == u"https" ? QStringLiteral("wss") : QStringLiteral("ws"));
    QNetworkRequest request(target);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    return request;
}

void ApiClient::deleteSandbox(const QString &id, const QObject *context, Done done)
{
    send("DELETE", url(QStringLiteral("/api/sandboxes/") + id), {}, {}, context,
         [done = std::move(done)](QNetworkReply &reply) { done(failure(reply)); });
}

void ApiClient::screenshot(const QString &id, ScreenshotSize size, const QByteArray &etag,
                           const QObject *context, Callback<ScreenshotFetch> done)
{
    QList<QPair<QByteArray, QByteArray>> headers{{"Accept", "image/*"}};
    if (!etag.isEmpty())
        headers.append({"If-None-Match", etag});
    const QString query =
        size == ScreenshotSize::Thumbnail ? QStringLiteral("size=thumb") : QString();
    send("GET", url(QStringLiteral("/api/sandboxes/%1/screenshot").arg(id), query), {}, headers,
         context, [done = std::move(done), etag](QNetworkReply &reply) {
             if (statusOf(reply) == 304) {
                 done(ScreenshotFetch{true, {}, reply.rawHeader("ETag"), {}});
                 return;
             }
             if (auto error = failure(reply)) {
                 done(std::move(*error));
                 return;
             }
             done(ScreenshotFetch{false, reply.readAll(), reply.rawHeader("ETag"),
                                  reply.header(QNetworkRequest::ContentTypeHeader).toByteArray()});
         });
}

void ApiClient::claudeMetrics(const QString &id, const QObject *context,
                              Callback<ClaudeMetrics> done)
{
    sendParsed<ClaudeMetrics>("GET", QStringLiteral("/api/sandboxes/%1/metrics").arg(id), {},
                              context, std::move(done),
                              [](const QByteArray &body) -> Expected<ClaudeMetrics, QString> {
                                  const auto object = jsonObject(body);
                                  if (!object)
                                      return object.error();
                                  return JsonCodec::claudeMetricsFromJson(*object);
                              });
}

void ApiClient::logTail(const QString &id, int lines, const QObject *context,
                        Callback<QByteArray> done)
{
    send(
        "GET",
        url(QStringLiteral("/api/sandboxes/%1/logs").arg(id), QStringLiteral("tail=%1").arg(lines)),
        {}, {{"Accept", "text/plain"}}, context, [done = std::move(done)](QNetworkReply &reply) {
            if (auto error = failure(reply)) {
                done(std::move(*error));
                return;
            }
            done(reply.readAll());
        });
}

void ApiClient::backends(const QObject *context, Callback<QList<BackendInfo>> done)
{
    sendParsed<QList<BackendInfo>>("GET", QStringLiteral("/api/backends"), {}, context,
                                   std::move(done), &JsonCodec::backendListFromJson);
}

void ApiClient::systemMetrics(const QObject *context, Callback<SystemMetrics> done)
{
    sendParsed<SystemMetrics>("GET", QStringLiteral("/api/metrics/system"), {}, context,
                              std::move(done),
                              [](const QByteArray &body) -> Expected<SystemMetrics, QString> {
                                  const auto object = jsonObject(body);
                                  if (!object)
                                      return object.error();
                                  return JsonCodec::systemMetricsFromJson(*object);
                              });
}
