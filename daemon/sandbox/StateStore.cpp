#include "sandbox/StateStore.h"

#include <fcntl.h>
#include <unistd.h>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSaveFile>

#include "shared/JsonCodec.h"

Q_LOGGING_CATEGORY(lcState, "manager.state")

namespace {

constexpr qint64 MaxStateBytes = 64 * 1024 * 1024;

QString prevPath(const QString &stateDir)
{
    return stateDir + QStringLiteral("/state.json.prev");
}

std::optional<QString> syncDirectory(const QString &dir)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return QStringLiteral("cannot open %1: %2").arg(dir, qt_error_string(errno));
    const int result = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (result != 0)
        return QStringLiteral("cannot sync %1: %2").arg(dir, qt_error_string(error));
    return std::nullopt;
}

Expected<ManagerState, QString> readState(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
    if (file.size() > MaxStateBytes)
        return QStringLiteral("%1 is larger than %2 bytes").arg(path).arg(MaxStateBytes);
    return JsonCodec::stateFromJson(file.readAll());
}

} // namespace

// Lives on the writer thread: one write at a time, each one durable before it is reported.
class StateWriter : public QObject
{
    Q_OBJECT

public:
    explicit StateWriter(QString stateDir) : m_stateDir(std::move(stateDir)) {}

    void write(quint64 version, const QByteArray &json)
    {
        Q_EMIT written(version, writeFile(json).value_or(QString()));
    }

Q_SIGNALS:
    void written(quint64 version, const QString &error);

private:
    std::optional<QString> writeFile(const QByteArray &json)
    {
        const QString path = StateStore::statePath(m_stateDir);
        QSaveFile file(path);
        file.setDirectWriteFallback(false);
        if (!file.open(QIODevice::WriteOnly))
            return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        if (file.write(json) != json.size() || !file.flush()) {
            const QString error = file.errorString();
            file.cancelWriting();
            return QStringLiteral("cannot write %1: %2").arg(path, error);
        }
        // QSaveFile::commit() ignores a failed sync: check it here, before the rename.
        if (::fdatasync(file.handle()) != 0) {
            const QString error = qt_error_string(errno);
            file.cancelWriting();
            return QStringLiteral("cannot sync %1: %2").arg(path, error);
        }
        // The current file becomes the previous good copy (a hard link: no copy, no window
        // without a valid state.json).
        const QByteArray current = QFile::encodeName(path);
        const QByteArray prev = QFile::encodeName(prevPath(m_stateDir));
        const QByteArray prevTmp = prev + ".tmp";
        ::unlink(prevTmp.constData());
        if (::link(current.constData(), prevTmp.constData()) == 0)
            ::rename(prevTmp.constData(), prev.constData());
        if (!file.commit())
            return QStringLiteral("cannot replace %1: %2").arg(path, file.errorString());
        return syncDirectory(m_stateDir);
    }

    QString m_stateDir;
};

StateStore::StateStore(QString stateDir, QObject *parent)
    : QObject(parent), m_stateDir(std::move(stateDir))
{
    m_writer = new StateWriter(m_stateDir);
    m_writer->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_writer, &QObject::deleteLater);
    connect(this, &StateStore::writeRequested, m_writer, &StateWriter::write);
    connect(m_writer, &StateWriter::written, this, &StateStore::onWritten);
    m_thread.setObjectName(QStringLiteral("state-writer"));
    m_thread.start();

    m_retry.setInterval(RetryInterval);
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &StateStore::writeNext);
}

StateStore::~StateStore()
{
    m_thread.quit();
    m_thread.wait();
}

QString StateStore::statePath(const QString &stateDir)
{
    return stateDir + QStringLiteral("/state.json");
}

Expected<StateStore::Loaded, QString> StateStore::load(const QString &stateDir)
{
    Loaded loaded;
    const QString path = statePath(stateDir);
    const QString prev = prevPath(stateDir);
    if (!QFileInfo::exists(path)) {
        if (!QFileInfo::exists(prev))
            return loaded;
        loaded.warnings.append(
            QStringLiteral("%1 is missing; using the previous copy %2").arg(path, prev));
    } else {
        auto state = readState(path);
        if (state) {
            loaded.state = std::move(state).value();
            return loaded;
        }
        const QString aside =
            path + QStringLiteral(".corrupt-") +
            QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddTHHmmss"));
        if (!QFile::rename(path, aside))
            return QStringLiteral(
                       "%1 does not load (%2) and cannot be moved aside to %3; refusing to "
                       "start rather than overwrite it")
                .arg(path, state.error(), aside);
        loaded.warnings.append(QStringLiteral("%1 does not load (%2); moved it to %3")
                                   .arg(path, state.error(), aside));
        if (!QFileInfo::exists(prev)) {
            loaded.warnings.append(
                QStringLiteral("no previous copy %1: starting with no sandboxes").arg(prev));
            return loaded;
        }
    }
    auto previous = readState(prev);
    if (!previous) {
        loaded.warnings.append(QStringLiteral("the previous copy %1 does not load either (%2): "
                                              "starting with no sandboxes")
                                   .arg(prev, previous.error()));
        return loaded;
    }
    loaded.warnings.append(QStringLiteral("loaded the previous good copy %1").arg(prev));
    loaded.state = std::move(previous).value();
    return loaded;
}

void StateStore::save(const ManagerState &state, QObject *context, Saved done)
{
    m_pendingJson = JsonCodec::stateToJson(state);
    m_pendingVersion = ++m_version;
    if (done)
        m_waiters.append({m_pendingVersion, context, context != nullptr, std::move(done)});
    if (!m_writing)
        writeNext();
}

void StateStore::writeNext()
{
    if (m_writing || m_pendingVersion <= m_savedVersion || m_pendingJson.isNull())
        return;
    m_writing = true;
    m_retry.stop();
    Q_EMIT writeRequested(m_pendingVersion, m_pendingJson);
}

void StateStore::onWritten(quint64 version, const QString &error)
{
    m_writing = false;
    if (error.isEmpty()) {
        if (isDirty())
            qCInfo(lcState) << "state written again after an earlier failure";
        m_savedVersion = version;
        m_lastError.clear();
    } else {
        m_failedVersion = version;
        if (m_lastError != error)
            qCCritical(lcState).noquote() << error;
        m_lastError = error;
    }
    const auto waiters = std::exchange(m_waiters, {});
    for (const Waiter &waiter : waiters) {
        if (waiter.version > version) {
            m_waiters.append(waiter);
            continue;
        }
        if (waiter.hasContext && !waiter.context)
            continue;
        waiter.done(error.isEmpty() ? std::nullopt : std::optional<QString>(error));
    }
    if (m_pendingVersion > version)
        writeNext();
    else if (!error.isEmpty())
        m_retry.start(); // keep trying until the disk has room again
}

#include "StateStore.moc"
