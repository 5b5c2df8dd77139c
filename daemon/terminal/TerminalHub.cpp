#include "terminal/TerminalHub.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QUrlQuery>
#include <QWebSocket>

#include "api/Authenticator.h"
#include "http/HttpServer.h"
#include "sandbox/SandboxManager.h"
#include "steer/ControlLease.h"
#include "steer/InputAudit.h"
#include "terminal/TerminalInput.h"
#include "terminal/TerminalSession.h"

Q_LOGGING_CATEGORY(lcTerminalHub, "manager.terminal.hub")

const QString TerminalHub::Surface = QStringLiteral("terminal");

namespace {

// Close codes of the stream (4000-4999 are the application's): the client reconnects on
// these, as on a dropped connection, and gets a fresh screen.
constexpr QWebSocketProtocol::CloseCode CloseNotRunning = QWebSocketProtocol::CloseCode(4001);
constexpr QWebSocketProtocol::CloseCode CloseTooSlow = QWebSocketProtocol::CloseCode(4002);

QString streamSandboxId(const QString &path)
{
    static const QRegularExpression pattern(QStringLiteral("^/ws/sandboxes/([^/]+)/terminal$"));
    const auto match = pattern.match(path);
    return match.hasMatch() ? match.captured(1) : QString();
}

QString clientKind(const QString &value, const QString &fallback)
{
    if (value == u"web" || value == u"viewer" || value == u"cli")
        return value;
    return fallback;
}

// A login session is named by a digest of its cookie, never by the cookie.
QString sessionLabel(const QByteArray &authorization, const QByteArray &cookies)
{
    const QByteArray cookie = Authenticator::cookieValue(cookies, Authenticator::CookieName);
    if (!cookie.isEmpty())
        return QStringLiteral("cookie:") +
               QString::fromLatin1(
                   QCryptographicHash::hash(cookie, QCryptographicHash::Sha256).toHex().left(12));
    if (authorization.startsWith("Bearer "))
        return QStringLiteral("token");
    return {};
}

QString peerLabel(const QHostAddress &address, quint16 port)
{
    if (address.isNull())
        return QStringLiteral("unix");
    QString host = address.toString();
    if (host.startsWith(QStringLiteral("::ffff:")))
        host = host.mid(7);
    if (port == 0)
        return host;
    return (host.contains(u':') ? u'[' + host + u']' : host) + u':' + QString::number(port);
}

// The printable part of typed keys, for the audit's first line: escape sequences dropped.
QString printable(const QByteArray &bytes)
{
    QByteArray kept;
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const uchar c = uchar(bytes[i]);
        if (c == 0x1b) {
            // CSI/SS3: skip to the final byte.
            if (i + 1 < bytes.size() && (bytes[i + 1] == '[' || bytes[i + 1] == 'O')) {
                i += 2;
                while (i < bytes.size() && (uchar(bytes[i]) < 0x40 || uchar(bytes[i]) > 0x7e))
                    ++i;
            }
            continue;
        }
        if (c >= 0x20 && c != 0x7f)
            kept.append(char(c));
    }
    return QString::fromUtf8(kept);
}

QJsonObject parseObject(const QByteArray &bytes, bool *ok)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    *ok = error.error == QJsonParseError::NoError && doc.isObject();
    return doc.object();
}

} // namespace

TerminalHub::TerminalHub(Services services, QObject *parent) : QObject(parent), m_services(services)
{
    connect(&m_services.lease, &ControlLease::changed, this,
            [this](const QString &sandbox, const QString &surface) {
                if (surface != Surface)
                    return;
                for (Watcher *watcher : watchersOf(sandbox)) {
                    if (!m_services.lease.holds(sandbox, Surface, watcher->socket))
                        flushAudit(watcher);
                    sendControl(watcher);
                }
            });
    connect(&m_services.sandboxes, &SandboxManager::sandboxChanged, this,
            [this](const QString &id) {
                const auto sandbox = m_services.sandboxes.sandbox(id);
                if (sandbox && !sandbox->isRunning())
                    endSession(id, QStringLiteral("the sandbox is not running"));
            });
    connect(&m_services.sandboxes, &SandboxManager::sandboxRemoved, this,
            [this](const QString &id) {
                endSession(id, QStringLiteral("the sandbox was deleted"));
                m_services.lease.releaseSandbox(id);
                m_services.audit.removeSandbox(id);
            });
}

TerminalHub::~TerminalHub()
{
    const auto watchers = m_watchers;
    for (Watcher *watcher : watchers) {
        watcher->socket->disconnect(this);
        delete watcher;
    }
    m_watchers.clear();
}

void TerminalHub::registerRoutes(HttpServer &server)
{
    HttpRouter &router = server.router();
    const auto bind = [this](void (TerminalHub::*handler)(const HttpRequest &, const HttpReply &)) {
        return [this, handler](const HttpRequest &request, const HttpReply &reply) {
            (this->*handler)(request, reply);
        };
    };
    router.add("GET", QStringLiteral("/api/sandboxes/{id}/screen"), bind(&TerminalHub::getScreen));
    router.add("POST", QStringLiteral("/api/sandboxes/{id}/input"), bind(&TerminalHub::postInput));
    router.add("GET", QStringLiteral("/api/sandboxes/{id}/input-audit"),
               bind(&TerminalHub::getAudit));
    server.addWebSocketRoute(
        QStringLiteral("/ws/sandboxes/<arg>/terminal"),
        [this](std::unique_ptr<QWebSocket> socket) { openStream(std::move(socket)); });
}

Actor TerminalHub::actorOf(const HttpRequest &request)
{
    Actor actor;
    const bool browser = !request.header("origin").isEmpty() ||
                         !request.header("sec-fetch-site").isEmpty() ||
                         request.header("hx-request") == "true";
    actor.client = clientKind(QString::fromLatin1(request.header("x-csm-client")),
                              browser ? QStringLiteral("web") : QStringLiteral("cli"));
    actor.peer = peerLabel(request.peer, 0);
    actor.session = sessionLabel(request.header("authorization"), request.header("cookie"));
    actor.description = actor.client + u' ' + actor.peer;
    return actor;
}

// ---- sessions ---------------------------------------------------------------------------

TerminalSession *TerminalHub::session(const QString &sandboxId)
{
    if (TerminalSession *existing = m_sessions.value(sandboxId)) {
        if (QTimer *linger = m_lingerTimers.value(sandboxId))
            linger->stop();
        return existing;
    }
    const auto sandbox = m_services.sandboxes.sandbox(sandboxId);
    if (!sandbox || !sandbox->isRunning() || sandbox->tmuxSession.isEmpty())
        return nullptr;
    auto *session = new TerminalSession(m_services.tmuxProgram, sandboxId, sandbox->tmuxSession,
                                        m_services.scratchDir, this);
    connect(session, &TerminalSession::output, this, [this, sandboxId](const QByteArray &bytes) {
        for (Watcher *watcher : watchersOf(sandboxId)) {
            if (!watcher->synced)
                continue;
            if (watcher->socket->bytesToWrite() > MaxClientBacklog) {
                qCWarning(lcTerminalHub)
                    << "terminal watcher" << watcher->actor.description << "of sandbox" << sandboxId
                    << "is not reading; dropping it";
                watcher->synced = false;
                watcher->socket->close(CloseTooSlow, QStringLiteral("client too slow"));
                continue;
            }
            watcher->socket->sendBinaryMessage(bytes);
        }
    });
    connect(session, &TerminalSession::sizeChanged, this, [this, sandboxId](QSize size) {
        for (Watcher *watcher : watchersOf(sandboxId)) {
            if (watcher->synced)
                sendJson(watcher, {{QStringLiteral("type"), QStringLiteral("size")},
                                   {QStringLiteral("cols"), size.width()},
                                   {QStringLiteral("rows"), size.height()}});
        }
    });
    connect(session, &TerminalSession::ended, this,
            [this, sandboxId](const QString &reason) { endSession(sandboxId, reason); });
    m_sessions.insert(sandboxId, session);
    session->start();
    return session;
}

void TerminalHub::endSession(const QString &sandboxId, const QString &reason)
{
    for (Watcher *watcher : watchersOf(sandboxId)) {
        watcher->synced = false;
        watcher->socket->close(CloseNotRunning, reason.left(120));
    }
    if (QTimer *linger = m_lingerTimers.take(sandboxId))
        linger->deleteLater();
    if (TerminalSession *session = m_sessions.take(sandboxId))
        session->deleteLater();
}

void TerminalHub::lingerOrEnd(const QString &sandboxId)
{
    if (!m_sessions.contains(sandboxId) || !watchersOf(sandboxId).isEmpty())
        return;
    QTimer *&linger = m_lingerTimers[sandboxId];
    if (!linger) {
        linger = new QTimer(this);
        linger->setSingleShot(true);
        linger->setInterval(SessionLinger);
        connect(linger, &QTimer::timeout, this, [this, sandboxId] {
            if (watchersOf(sandboxId).isEmpty())
                endSession(sandboxId, QStringLiteral("nobody watches"));
        });
    }
    linger->start();
}

bool TerminalHub::send(TerminalSession *session, const TerminalInput &input, SendDone done)
{
    auto failed = std::make_shared<bool>(false);
    const auto note = [failed](bool ok) {
        if (!ok)
            *failed = true;
    };
    bool queued = true;
    // Keys first (Esc to leave a menu, a digit to choose), then the text, then Enter.
    QStringList names;
    const auto flushNames = [&] {
        if (!names.isEmpty())
            queued = queued && session->sendKeyNames(names, note);
        names.clear();
    };
    for (const TerminalInput::Key &key : input.keys) {
        if (!key.literal.isEmpty()) {
            flushNames();
            queued = queued && session->sendBytes(key.literal, note);
        } else {
            names.append(key.tmuxName);
        }
    }
    flushNames();
    if (!input.text.isEmpty())
        queued = queued && session->paste(input.text, note);
    if (input.enter)
        queued = queued && session->sendKeyNames({QStringLiteral("Enter")}, note);
    // The last command's answer comes after all the others'.
    queued = queued && session->sendKeyNames({}, [failed, done](bool ok) { done(ok && !*failed); });
    return queued;
}

// ---- HTTP -------------------------------------------------------------------------------

void TerminalHub::getScreen(const HttpRequest &request, const HttpReply &reply)
{
    const QString id = request.arg(0);
    const QString format = request.query.queryItemValue(QStringLiteral("format"));
    if (!format.isEmpty() && format != u"text" && format != u"ansi") {
        reply.send(HttpResponse::error(400, QStringLiteral("format must be text or ansi"),
                                       QStringLiteral("format")));
        return;
    }
    const auto sandbox = m_services.sandboxes.sandbox(id);
    if (!sandbox) {
        reply.send(HttpResponse::error(404, QStringLiteral("no sandbox with id %1").arg(id)));
        return;
    }
    TerminalSession *terminal = session(id);
    if (!terminal) {
        reply.send(HttpResponse::error(409, QStringLiteral("sandbox %1 is not running").arg(id)));
        return;
    }
    const bool ansi = format == u"ansi";
    terminal->screen(ansi, false, [this, reply, ansi, id](std::optional<TerminalScreen> screen) {
        lingerOrEnd(id);
        if (!screen) {
            reply.send(HttpResponse::error(
                502, QStringLiteral("tmux did not answer for the screen of sandbox %1").arg(id)));
            return;
        }
        HttpResponse response = HttpResponse::bytes(ansi ? screen->toAnsi() : screen->toText(),
                                                    "text/plain; charset=utf-8");
        response.withHeader("Cache-Control", "no-store")
            .withHeader("X-Terminal-Size",
                        QByteArray::number(screen->cols) + 'x' + QByteArray::number(screen->rows))
            .withHeader("X-Terminal-Cursor", QByteArray::number(screen->cursorX) + ',' +
                                                 QByteArray::number(screen->cursorY))
            .withHeader("X-Terminal-Alternate", screen->alternate ? "1" : "0");
        reply.send(response);
    });
}

void TerminalHub::postInput(const HttpRequest &request, const HttpReply &reply)
{
    const QString id = request.arg(0);
    if (!m_services.sandboxes.sandbox(id)) {
        reply.send(HttpResponse::error(404, QStringLiteral("no sandbox with id %1").arg(id)));
        return;
    }
    bool ok = false;
    const QJsonObject body = parseObject(request.body, &ok);
    if (!ok) {
        reply.send(HttpResponse::error(
            400, QStringLiteral("the body must be a JSON object: {\"text\": …, \"enter\": true, "
                                "\"keys\": [\"Esc\"]}")));
        return;
    }
    auto input = TerminalInput::fromJson(body);
    if (!input) {
        reply.send(HttpResponse::error(422, input.error().message, input.error().field));
        return;
    }
    const auto holder = m_services.lease.holder(id, Surface);
    if (holder && !input->force) {
        QJsonObject error{{QStringLiteral("error"),
                           QStringLiteral("%1 holds control of this terminal; send \"force\": true "
                                          "to type anyway")
                               .arg(holder->actor.description)},
                          {QStringLiteral("code"), QStringLiteral("held")},
                          {QStringLiteral("field"), QStringLiteral("force")},
                          {QStringLiteral("holder"), holder->toJson()}};
        reply.send(HttpResponse::json(error, 409));
        return;
    }
    TerminalSession *terminal = session(id);
    if (!terminal) {
        reply.send(HttpResponse::error(409, QStringLiteral("sandbox %1 is not running").arg(id)));
        return;
    }
    if (terminal->isBusy()) {
        reply.send(
            HttpResponse::error(503, QStringLiteral("the terminal is not keeping up; try again")));
        return;
    }
    const Actor actor = actorOf(request);
    const TerminalInput sent = *input;
    m_services.audit.record(id, Surface, actor, sent.byteCount(), sent.firstLine());
    send(terminal, sent, [this, reply, id, bytes = sent.byteCount()](bool done) {
        lingerOrEnd(id);
        if (!done) {
            reply.send(HttpResponse::error(502, QStringLiteral("tmux refused the input")));
            return;
        }
        reply.send(HttpResponse::json(QJsonObject{{QStringLiteral("sent_bytes"), bytes}}));
    });
}

void TerminalHub::getAudit(const HttpRequest &request, const HttpReply &reply)
{
    const QString id = request.arg(0);
    if (!m_services.sandboxes.sandbox(id)) {
        reply.send(HttpResponse::error(404, QStringLiteral("no sandbox with id %1").arg(id)));
        return;
    }
    HttpResponse response = HttpResponse::json(m_services.audit.entries(id));
    response.withHeader("Cache-Control", "no-store");
    reply.send(response);
}

// ---- the stream -------------------------------------------------------------------------

void TerminalHub::openStream(std::unique_ptr<QWebSocket> owned)
{
    QWebSocket *socket = owned.release();
    socket->setParent(this);
    connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
    const QString id = streamSandboxId(socket->requestUrl().path());
    // AccessPolicy checked the head already; this repeats the rules that matter here.
    const QByteArray host = socket->request().rawHeader("Host").toLower();
    const QString origin = socket->origin();
    if (id.isEmpty() || (!origin.isEmpty() && origin.toLower().toUtf8() != "http://" + host)) {
        socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                      QStringLiteral("not a terminal stream of this server"));
        return;
    }
    socket->setMaxAllowedIncomingMessageSize(MaxIncomingMessage);
    socket->setMaxAllowedIncomingFrameSize(MaxIncomingMessage);
    socket->setReadBufferSize(qint64(MaxIncomingMessage) * 2);

    auto *watcher = new Watcher;
    watcher->socket = socket;
    watcher->sandbox = id;
    const QUrlQuery query(socket->requestUrl());
    watcher->actor.client =
        clientKind(query.queryItemValue(QStringLiteral("client")), QStringLiteral("web"));
    watcher->actor.peer = peerLabel(socket->peerAddress(), socket->peerPort());
    watcher->actor.session = sessionLabel(socket->request().rawHeader("Authorization"),
                                          socket->request().rawHeader("Cookie"));
    watcher->actor.description = watcher->actor.client + u' ' + watcher->actor.peer;
    watcher->budgetWindow.start();
    watcher->auditTimer.setSingleShot(true);
    watcher->auditTimer.setInterval(AuditQuiet);
    connect(&watcher->auditTimer, &QTimer::timeout, this, [this, watcher] { flushAudit(watcher); });
    m_watchers.insert(socket, watcher);
    connect(socket, &QObject::destroyed, this, [this, socket] { removeWatcher(socket); });
    connect(socket, &QWebSocket::textMessageReceived, this,
            [this, watcher](const QString &message) { onMessage(watcher, message); });
    connect(socket, &QWebSocket::binaryMessageReceived, this,
            [this, watcher](const QByteArray &bytes) { onBinary(watcher, bytes); });

    const auto sandbox = m_services.sandboxes.sandbox(id);
    if (!sandbox || !sandbox->isRunning()) {
        sendError(watcher, QStringLiteral("not_running"),
                  QStringLiteral("sandbox %1 is not running").arg(id));
        socket->close(CloseNotRunning, QStringLiteral("the sandbox is not running"));
        return;
    }
    sendJson(watcher,
             {{QStringLiteral("type"), QStringLiteral("hello")},
              {QStringLiteral("sandbox"), id},
              {QStringLiteral("you"), watcher->actor.toJson()},
              {QStringLiteral("idle_seconds"), qint64(m_services.lease.idleTimeout().count())}});
    sendControl(watcher);
    sync(watcher);
}

void TerminalHub::sync(Watcher *watcher)
{
    TerminalSession *terminal = session(watcher->sandbox);
    if (!terminal) {
        watcher->socket->close(CloseNotRunning, QStringLiteral("the sandbox is not running"));
        return;
    }
    QPointer<QWebSocket> socket(watcher->socket);
    terminal->screen(true, true, [this, socket](std::optional<TerminalScreen> screen) {
        Watcher *target = socket ? m_watchers.value(socket.data()) : nullptr;
        if (!target)
            return;
        if (!screen) {
            sendError(target, QStringLiteral("tmux"), QStringLiteral("tmux did not answer"));
            target->socket->close(CloseNotRunning, QStringLiteral("tmux did not answer"));
            return;
        }
        sendJson(target, {{QStringLiteral("type"), QStringLiteral("screen")},
                          {QStringLiteral("cols"), screen->cols},
                          {QStringLiteral("rows"), screen->rows},
                          {QStringLiteral("alternate"), screen->alternate},
                          {QStringLiteral("data"), QString::fromUtf8(screen->toAnsi())}});
        target->synced = true;
    });
}

void TerminalHub::sendJson(Watcher *watcher, const QJsonObject &object)
{
    watcher->socket->sendTextMessage(
        QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
}

void TerminalHub::sendError(Watcher *watcher, const QString &code, const QString &message)
{
    sendJson(watcher, {{QStringLiteral("type"), QStringLiteral("error")},
                       {QStringLiteral("code"), code},
                       {QStringLiteral("error"), message}});
}

void TerminalHub::sendControl(Watcher *watcher)
{
    const auto holder = m_services.lease.holder(watcher->sandbox, Surface);
    sendJson(watcher,
             {{QStringLiteral("type"), QStringLiteral("control")},
              {QStringLiteral("holder"), holder ? QJsonValue(holder->toJson()) : QJsonValue()},
              {QStringLiteral("yours"),
               m_services.lease.holds(watcher->sandbox, Surface, watcher->socket)}});
}

bool TerminalHub::withinBudget(Watcher *watcher, qint64 bytes)
{
    if (watcher->budgetWindow.elapsed() >= 1000) {
        watcher->budgetWindow.restart();
        watcher->budgetUsed = 0;
    }
    watcher->budgetUsed += bytes;
    if (watcher->budgetUsed <= InputBytesPerSecond)
        return true;
    sendError(
        watcher, QStringLiteral("too_large"),
        QStringLiteral("more than %1 bytes of input per second; dropped").arg(InputBytesPerSecond));
    return false;
}

void TerminalHub::onBinary(Watcher *watcher, const QByteArray &bytes)
{
    if (!m_services.lease.holds(watcher->sandbox, Surface, watcher->socket)) {
        sendError(watcher, QStringLiteral("not_holder"),
                  QStringLiteral("take control before typing"));
        return;
    }
    if (bytes.size() > MaxKeysMessage) {
        sendError(watcher, QStringLiteral("too_large"),
                  QStringLiteral("keys come in messages of at most %1 bytes").arg(MaxKeysMessage));
        return;
    }
    if (withinBudget(watcher, bytes.size()))
        typeBytes(watcher, bytes);
}

void TerminalHub::onMessage(Watcher *watcher, const QString &message)
{
    bool ok = false;
    const QJsonObject object = parseObject(message.toUtf8(), &ok);
    const QString type = object.value(QStringLiteral("type")).toString();
    if (!ok || type.isEmpty()) {
        sendError(watcher, QStringLiteral("bad_message"),
                  QStringLiteral("messages are JSON objects with a \"type\""));
        return;
    }
    const QString &sandbox = watcher->sandbox;
    ControlLease &lease = m_services.lease;
    if (type == u"take") {
        const auto taken = lease.take(sandbox, Surface, watcher->actor, watcher->socket,
                                      object.value(QStringLiteral("force")).toBool());
        if (!taken)
            sendError(watcher, QStringLiteral("held"), taken.error());
        return;
    }
    if (type == u"release") {
        flushAudit(watcher);
        lease.release(sandbox, Surface, watcher->socket);
        return;
    }
    if (type == u"ping") {
        sendJson(watcher, {{QStringLiteral("type"), QStringLiteral("pong")}});
        return;
    }
    const bool holds = lease.holds(sandbox, Surface, watcher->socket);
    if (type == u"data" || type == u"resize") {
        if (!holds) {
            sendError(watcher, QStringLiteral("not_holder"),
                      type == u"data" ? QStringLiteral("take control before typing")
                                      : QStringLiteral("only the holder sizes the terminal"));
            return;
        }
        lease.touch(sandbox, Surface, watcher->socket);
        if (type == u"resize") {
            const int cols = object.value(QStringLiteral("cols")).toInt();
            const int rows = object.value(QStringLiteral("rows")).toInt();
            if (cols < TerminalSession::MinCols || rows < TerminalSession::MinRows ||
                cols > TerminalSession::MaxCols || rows > TerminalSession::MaxRows) {
                sendError(watcher, QStringLiteral("bad_size"),
                          QStringLiteral("cols must be %1-%2 and rows %3-%4")
                              .arg(TerminalSession::MinCols)
                              .arg(TerminalSession::MaxCols)
                              .arg(TerminalSession::MinRows)
                              .arg(TerminalSession::MaxRows));
                return;
            }
            if (TerminalSession *terminal = m_sessions.value(sandbox))
                terminal->resize(cols, rows);
            return;
        }
        const QByteArray bytes = object.value(QStringLiteral("data")).toString().toUtf8();
        if (bytes.size() > MaxKeysMessage) {
            sendError(
                watcher, QStringLiteral("too_large"),
                QStringLiteral("keys come in messages of at most %1 bytes").arg(MaxKeysMessage));
            return;
        }
        if (withinBudget(watcher, bytes.size()))
            typeBytes(watcher, bytes);
        return;
    }
    if (type == u"input") {
        auto input = TerminalInput::fromJson(object);
        if (!input) {
            sendError(watcher, QStringLiteral("bad_input"),
                      input.error().field + QStringLiteral(": ") + input.error().message);
            return;
        }
        const auto holder = lease.holder(sandbox, Surface);
        if (holder && !holds && !input->force) {
            sendError(
                watcher, QStringLiteral("held"),
                QStringLiteral("%1 holds control of this terminal").arg(holder->actor.description));
            return;
        }
        TerminalSession *terminal = m_sessions.value(sandbox);
        if (!terminal || !withinBudget(watcher, input->byteCount()))
            return;
        if (holds)
            lease.touch(sandbox, Surface, watcher->socket);
        flushAudit(watcher);
        m_services.audit.record(sandbox, Surface, watcher->actor, input->byteCount(),
                                input->firstLine());
        QPointer<QWebSocket> socket(watcher->socket);
        if (!send(terminal, *input, [this, socket](bool done) {
                Watcher *w = socket ? m_watchers.value(socket.data()) : nullptr;
                if (w && !done)
                    sendError(w, QStringLiteral("tmux"), QStringLiteral("tmux refused the input"));
            }))
            sendError(watcher, QStringLiteral("busy"),
                      QStringLiteral("the terminal is not keeping up; input dropped"));
        return;
    }
    sendError(watcher, QStringLiteral("bad_message"),
              QStringLiteral("unknown message type \"%1\"").arg(type.left(40)));
}

void TerminalHub::typeBytes(Watcher *watcher, const QByteArray &bytes)
{
    TerminalSession *terminal = m_sessions.value(watcher->sandbox);
    if (!terminal || bytes.isEmpty())
        return;
    if (!terminal->sendBytes(bytes)) {
        sendError(watcher, QStringLiteral("busy"),
                  QStringLiteral("the terminal is not keeping up; keys dropped"));
        return;
    }
    // One audit entry per typed line (or per pause in typing), not one per key.
    watcher->auditBytes += bytes.size();
    const qsizetype enter = bytes.indexOf('\r');
    if (!watcher->auditLineDone) {
        watcher->auditLine += printable(enter < 0 ? bytes : bytes.left(enter));
        watcher->auditLine.truncate(InputAudit::MaxFirstLine);
    }
    if (enter >= 0) {
        watcher->auditLine += QStringLiteral("<Enter>");
        flushAudit(watcher);
        return;
    }
    watcher->auditTimer.start();
}

void TerminalHub::flushAudit(Watcher *watcher)
{
    watcher->auditTimer.stop();
    if (watcher->auditBytes == 0)
        return;
    m_services.audit.record(watcher->sandbox, Surface, watcher->actor, watcher->auditBytes,
                            watcher->auditLine);
    watcher->auditBytes = 0;
    watcher->auditLine.clear();
    watcher->auditLineDone = false;
}

QList<TerminalHub::Watcher *> TerminalHub::watchersOf(const QString &sandboxId) const
{
    QList<Watcher *> result;
    for (Watcher *watcher : m_watchers) {
        if (watcher->sandbox == sandboxId)
            result.append(watcher);
    }
    return result;
}

void TerminalHub::removeWatcher(QWebSocket *socket)
{
    Watcher *watcher = m_watchers.take(socket);
    if (!watcher)
        return;
    flushAudit(watcher);
    const QString sandbox = watcher->sandbox;
    delete watcher;
    m_services.lease.releaseAll(socket); // closing the tab gives control back
    lingerOrEnd(sandbox);
}
