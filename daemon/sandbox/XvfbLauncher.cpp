#include "sandbox/XvfbLauncher.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <QFile>
#include <QLoggingCategory>
#include <QPointer>
#include <QProcess>
#include <QSocketNotifier>
#include <QTimer>

#include "sys/ProcessInfo.h"
#include "sys/XauthFile.h"

Q_LOGGING_CATEGORY(lcXvfb, "manager.xvfb")

// One try at one display number; on "display in use" it moves on to the next number.
class XvfbLauncher::Attempt : public QObject
{
public:
    Attempt(QString program, XvfbRequest request, Done done, QObject *context)
        : m_program(std::move(program))
        , m_request(std::move(request))
        , m_done(std::move(done))
        , m_context(context)
    {
        m_deadline.setSingleShot(true);
        connect(&m_deadline, &QTimer::timeout, this, [this] {
            fail(QStringLiteral("Xvfb did not report a display within %1 ms")
                     .arg(StartTimeout.count()));
        });
        m_display = m_request.firstDisplay;
        m_instance.cookie = XauthFile::newCookie();
        m_instance.serverAuthFile =
            m_request.runDir + u'/' + m_request.sandboxId + QStringLiteral(".xauth-server");
        m_instance.clientAuthFile =
            m_request.runDir + u'/' + m_request.sandboxId + QStringLiteral(".xauth");
        m_errorFile = m_request.runDir + u'/' + m_request.sandboxId + QStringLiteral(".xvfb.log");
    }

    ~Attempt() override { closePipe(); }

    void begin()
    {
        if (auto error = XauthFile::write(m_instance.serverAuthFile,
                                          XauthFile::serverRecord(m_instance.cookie))) {
            fail(*error);
            return;
        }
        m_deadline.start(StartTimeout);
        tryDisplay();
    }

private:
    void tryDisplay()
    {
        closePipe();
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
            fail(QStringLiteral("cannot create a pipe for Xvfb: %1").arg(qt_error_string(errno)));
            return;
        }
        m_readFd = fds[0];
        // Only the write end is handed to Xvfb, by number: clear close-on-exec on it alone.
        ::fcntl(fds[1], F_SETFD, 0);
        ::fcntl(fds[1], F_SETFL, ::fcntl(fds[1], F_GETFL) & ~O_NONBLOCK);

        QProcess process;
        process.setProgram(m_program);
        process.setArguments(
            {u':' + QString::number(m_display), QStringLiteral("-displayfd"),
             QString::number(fds[1]), QStringLiteral("-screen"), QStringLiteral("0"),
             QStringLiteral("%1x%2x%3")
                 .arg(m_request.size.width())
                 .arg(m_request.size.height())
                 .arg(m_request.depth),
             QStringLiteral("-nolisten"), QStringLiteral("tcp"), QStringLiteral("-auth"),
             m_instance.serverAuthFile, QStringLiteral("-noreset")});
        process.setStandardInputFile(QProcess::nullDevice());
        process.setStandardOutputFile(QProcess::nullDevice());
        process.setStandardErrorFile(m_errorFile);
        qint64 pid = 0;
        const bool started = process.startDetached(&pid);
        ::close(fds[1]);
        if (!started) {
            fail(QStringLiteral("cannot run %1: %2").arg(m_program, process.errorString()));
            return;
        }
        m_instance.pid = pid;
        m_received.clear();
        m_notifier = new QSocketNotifier(m_readFd, QSocketNotifier::Read, this);
        connect(m_notifier, &QSocketNotifier::activated, this, [this] { readDisplay(); });
    }

    void readDisplay()
    {
        char buffer[32];
        const ssize_t n = ::read(m_readFd, buffer, sizeof buffer);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n > 0) {
            m_received.append(buffer, n);
            if (!m_received.contains('\n'))
                return;
            bool ok = false;
            const int display = m_received.left(m_received.indexOf('\n')).toInt(&ok);
            if (!ok) {
                fail(QStringLiteral("Xvfb wrote \"%1\" instead of a display number")
                         .arg(QString::fromLatin1(m_received.trimmed())));
                return;
            }
            succeed(display);
            return;
        }
        // End of file without a number: Xvfb exited. Another server on this display is the
        // one failure worth another try.
        closePipe();
        const QString err = errorText();
        const bool busy = err.contains(QLatin1StringView("already running")) ||
                          err.contains(QLatin1StringView("already active")) ||
                          err.contains(QLatin1StringView("Cannot establish any listening sockets"));
        if (busy && m_display - m_request.firstDisplay < MaxDisplayAttempts) {
            qCDebug(lcXvfb) << "display" << m_display << "is taken, trying" << m_display + 1;
            ++m_display;
            tryDisplay();
            return;
        }
        fail(QStringLiteral("Xvfb on display :%1 exited: %2")
                 .arg(m_display)
                 .arg(err.isEmpty() ? QStringLiteral("(no output)") : err));
    }

    QString errorText() const
    {
        QFile file(m_errorFile);
        if (!file.open(QIODevice::ReadOnly))
            return {};
        QString text = QString::fromLocal8Bit(file.read(8192)).trimmed();
        text.replace(QStringLiteral("(EE) "), QString());
        text.replace(u'\n', u' ');
        return text.simplified();
    }

    void succeed(int display)
    {
        closePipe();
        m_instance.display = display;
        m_instance.startTicks = ProcessInfo::startTicks(m_instance.pid).value_or(0);
        if (auto error = XauthFile::write(m_instance.clientAuthFile,
                                          XauthFile::clientRecord(m_instance.cookie, display))) {
            ::kill(static_cast<pid_t>(m_instance.pid), SIGTERM);
            fail(*error);
            return;
        }
        finish(m_instance);
    }

    void fail(const QString &reason)
    {
        closePipe();
        if (m_instance.pid > 0 && ProcessInfo::isAlive(m_instance.pid))
            ::kill(static_cast<pid_t>(m_instance.pid), SIGTERM);
        finish(reason);
    }

    void finish(Expected<XvfbInstance, QString> result)
    {
        m_deadline.stop();
        if (m_finished)
            return;
        m_finished = true;
        if (m_context)
            m_done(std::move(result));
        deleteLater();
    }

    void closePipe()
    {
        delete m_notifier;
        m_notifier = nullptr;
        if (m_readFd >= 0)
            ::close(m_readFd);
        m_readFd = -1;
    }

    QString m_program;
    XvfbRequest m_request;
    Done m_done;
    QPointer<QObject> m_context;
    QTimer m_deadline;
    XvfbInstance m_instance;
    QString m_errorFile;
    QSocketNotifier *m_notifier = nullptr;
    QByteArray m_received;
    int m_readFd = -1;
    int m_display = 0;
    bool m_finished = false;
};

XvfbLauncher::XvfbLauncher(QString program, QObject *parent)
    : QObject(parent), m_program(std::move(program))
{}

void XvfbLauncher::start(const XvfbRequest &request, QObject *context, Done done)
{
    auto *attempt = new Attempt(m_program, request, std::move(done), context);
    attempt->setParent(this);
    attempt->begin();
}

void XvfbLauncher::stop(qint64 pid, quint64 startTicks, const QString &bootId,
                        const QString &serverAuthFile)
{
    if (!ProcessInfo::isSameProcess(pid, startTicks, bootId, QStringLiteral("Xvfb"),
                                    serverAuthFile)) {
        qCDebug(lcXvfb) << "not signalling pid" << pid << ": it is no longer our Xvfb";
        return;
    }
    ::kill(static_cast<pid_t>(pid), SIGTERM);
}
