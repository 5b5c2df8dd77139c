#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include <QByteArray>
#include <QList>
#include <QNetworkReply>
#include <QObject>
#include <QSet>
#include <QString>
#include <QUrl>

#include "shared/BackendInfo.h"
#include "shared/ClaudeMetrics.h"
#include "shared/CreateRequest.h"
#include "shared/Expected.h"
#include "shared/Sandbox.h"
#include "shared/SystemMetrics.h"

class QNetworkAccessManager;
class QJsonObject;
class QNetworkRequest;

// Why a call to the daemon failed: no HTTP answer (network error), an HTTP error status with
// the daemon's {"error","field"} text, or an answer that could not be read.
struct ApiFailure
{
    enum class Kind
    {
        Network,
        Http,
        Parse,
        Cancelled // abortAll() or a base URL change ended the call
    };

    Kind kind = Kind::Network;
    int httpStatus = 0; // 0 when there was no HTTP answer
    QNetworkReply::NetworkError networkError = QNetworkReply::NoError;
    QString message;
    QString field; // the request field at fault, when the daemon named one

    bool isNetwork() const { return kind == Kind::Network; }
    QString toString() const;
};

template<typename T>
using ApiResult = Expected<T, ApiFailure>;

// A screenshot answer: new bytes with their ETag, or "unchanged" for a 304.
struct ScreenshotFetch
{
    bool unchanged = false;
    QByteArray data;
    QByteArray etag;
    QByteArray contentType;
};

// Asynchronous client of the daemon's HTTP API (docs/API.md). Every call takes a context
// object and runs its callback exactly once, unless the context (or the client) is
// destroyed first.
class ApiClient : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiClient)

public:
    enum class ScreenshotSize
    {
        Thumbnail,
        Full
    };
    using Done = std::function<void(std::optional<ApiFailure>)>;
    template<typename T>
    using Callback = std::function<void(ApiResult<T>)>;

    static constexpr std::chrono::milliseconds DefaultTimeout{15000};

    ApiClient(QNetworkAccessManager &network, QUrl baseUrl, QObject *parent = nullptr);
    ~ApiClient() override;

    QUrl baseUrl() const { return m_baseUrl; }
    void setBaseUrl(const QUrl &url);
    void setToken(const QString &token) { m_token = token; }
    QString token() const { return m_token; }
    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }
    void abortAll();
    int pendingCount() const { return static_cast<int>(m_pending.size()); }

    QUrl url(const QString &path, const QString &query = {}) const;
    QUrl dashboardUrl(const QString &id = {}) const;

    void listSandboxes(const QObject *context, Callback<QList<Sandbox>> done);
    void sandbox(const QString &id, const QObject *context, Callback<Sandbox> done);
    void createSandbox(const CreateRequest &request, const QObject *context,
                       Callback<Sandbox> done);
    void stopSandbox(const QString &id, const QObject *context, Done done);
    void startSandbox(const QString &id, const QObject *context, Callback<Sandbox> done);
    void deleteSandbox(const QString &id, const QObject *context, Done done);
    // Sends If-None-Match when etag is not empty; a 304 comes back as unchanged.
    void screenshot(const QString &id, ScreenshotSize size, const QByteArray &etag,
                    const QObject *context, Callback<ScreenshotFetch> done);
    void claudeMetrics(const QString &id, const QObject *context, Callback<ClaudeMetrics> done);
    void logTail(const QString &id, int lines, const QObject *context, Callback<QByteArray> done);
    void backends(const QObject *context, Callback<QList<BackendInfo>> done);
    void systemMetrics(const QObject *context, Callback<SystemMetrics> done);
    // Types into a sandbox's terminal without taking control: {"text", "enter", "keys",
    // "force"} as POST /api/sandboxes/<id>/input takes it. A 409 naming "force" means
    // someone holds control.
    void sendInput(const QString &id, const QJsonObject &input, const QObject *context, Done done);
    // The WebSocket request of a sandbox's live terminal stream (with the token).
    QNetworkRequest terminalStreamRequest(const QString &id) const;

private:
    using Handler = std::function<void(QNetworkReply &)>;

    QNetworkRequest request(const QUrl &url) const;
    void send(const QByteArray &method, const QUrl &url, const QByteArray &body,
              const QList<QPair<QByteArray, QByteArray>> &headers, const QObject *context,
              Handler handler);
    static std::optional<ApiFailure> failure(QNetworkReply &reply);
    template<typename T, typename Parse>
    void sendParsed(const QByteArray &method, const QString &path, const QByteArray &body,
                    const QObject *context, Callback<T> done, Parse parse);

    QNetworkAccessManager &m_network;
    QUrl m_baseUrl;
    QString m_token;
    std::chrono::milliseconds m_timeout = DefaultTimeout;
    QSet<QNetworkReply *> m_pending;
    QByteArray m_listEtag; // of m_lastList, the last list the daemon sent
    QList<Sandbox> m_lastList;
};
