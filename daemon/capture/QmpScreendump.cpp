#include "capture/QmpScreendump.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

QmpScreendump::QmpScreendump(QString socketPath, QString outputFile, Done done, QObject *context)
    : m_socketPath(std::move(socketPath))
    , m_outputFile(std::move(outputFile))
    , m_done(std::move(done))
    , m_context(context)
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        finish(QStringLiteral("QMP socket %1 did not answer within %2 ms")
                   .arg(m_socketPath)
                   .arg(Timeout.count()));
    });
    connect(&m_socket, &QLocalSocket::readyRead, this, &QmpScreendump::onReadyRead);
    connect(&m_socket, &QLocalSocket::errorOccurred, this, [this] {
        finish(QStringLiteral("QMP socket %1: %2").arg(m_socketPath, m_socket.errorString()));
    });
}

void QmpScreendump::capture(const QString &socketPath, const QString &outputFile, QObject *context,
                            Done done)
{
    auto *exchange = new QmpScreendump(socketPath, outputFile, std::move(done), context);
    exchange->m_deadline.start(Timeout);
    exchange->m_socket.connectToServer(socketPath);
}

void QmpScreendump::onReadyRead()
{
    m_buffer += m_socket.readAll();
    if (m_buffer.size() > 1024 * 1024) {
        finish(QStringLiteral("QMP socket %1 sent more than 1 MiB").arg(m_socketPath));
        return;
    }
    qsizetype newline;
    while (!m_finished && (newline = m_buffer.indexOf('\n')) >= 0) {
        const QByteArray line = m_buffer.left(newline).trimmed();
        m_buffer.remove(0, newline + 1);
        if (!line.isEmpty())
            handleMessage(line);
    }
}

void QmpScreendump::handleMessage(const QByteArray &line)
{
    const QJsonObject message = QJsonDocument::fromJson(line).object();
    if (message.contains(QLatin1StringView("event")))
        return; // asynchronous notifications interleave with replies
    if (message.contains(QLatin1StringView("error"))) {
        const QJsonObject error = message.value(QLatin1StringView("error")).toObject();
        finish(QStringLiteral("QMP error from %1: %2")
                   .arg(m_socketPath, error.value(QLatin1StringView("desc")).toString()));
        return;
    }
    switch (m_step) {
    case Step::Greeting:
        if (!message.contains(QLatin1StringView("QMP"))) {
            finish(QStringLiteral("%1 does not speak QMP").arg(m_socketPath));
            return;
        }
        m_step = Step::Capabilities;
        send(R"({"execute":"qmp_capabilities"})");
        return;
    case Step::Capabilities:
        if (!message.contains(QLatin1StringView("return")))
            return;
        m_step = Step::Screendump;
        QFile::remove(m_outputFile);
        send(QJsonDocument(
                 QJsonObject{{QStringLiteral("execute"), QStringLiteral("screendump")},
                             {QStringLiteral("arguments"),
                              QJsonObject{{QStringLiteral("filename"), m_outputFile},
                                          {QStringLiteral("format"), QStringLiteral("png")}}}})
                 .toJson(QJsonDocument::Compact));
        return;
    case Step::Screendump: {
        if (!message.contains(QLatin1StringView("return")))
            return;
        QFile file(m_outputFile);
        if (!file.open(QIODevice::ReadOnly)) {
            finish(QStringLiteral("QEMU wrote no screendump at %1").arg(m_outputFile));
            return;
        }
        if (file.size() > MaxImageBytes) {
            finish(QStringLiteral("screendump %1 is larger than %2 bytes")
                       .arg(m_outputFile)
                       .arg(MaxImageBytes));
            return;
        }
        QByteArray png = file.readAll();
        file.remove();
        finish(std::move(png));
        return;
    }
    }
}

void QmpScreendump::send(const QByteArray &json)
{
    m_socket.write(json + '\n');
}

void QmpScreendump::finish(Expected<QByteArray, QString> result)
{
    if (m_finished)
        return;
    m_finished = true;
    m_deadline.stop();
    m_socket.abort();
    if (m_context)
        m_done(std::move(result));
    deleteLater();
}
