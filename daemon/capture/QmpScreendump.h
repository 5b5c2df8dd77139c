#pragma once

#include <chrono>
#include <functional>

#include <QByteArray>
#include <QLocalSocket>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include "shared/Expected.h"

// One QMP conversation with a QEMU VM: capabilities, then screendump to a private file;
// hands back the PNG it wrote. No socat, no sleeps.
class QmpScreendump : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(QmpScreendump)

public:
    using Done = std::function<void(Expected<QByteArray, QString>)>;
    static constexpr std::chrono::milliseconds Timeout{5000};
    static constexpr qint64 MaxImageBytes = 64 * 1024 * 1024;

    // Runs the exchange; done is called once unless context dies first.
    static void capture(const QString &socketPath, const QString &outputFile, QObject *context,
                        Done done);

private:
    QmpScreendump(QString socketPath, QString outputFile, Done done, QObject *context);
    void onReadyRead();
    void handleMessage(const QByteArray &line);
    void send(const QByteArray &json);
    void finish(Expected<QByteArray, QString> result);

    enum class Step
    {
        Greeting,
        Capabilities,
        Screendump
    };

    QLocalSocket m_socket;
    QTimer m_deadline;
    QString m_socketPath;
    QString m_outputFile;
    Done m_done;
    QPointer<QObject> m_context;
    QByteArray m_buffer;
    Step m_step = Step::Greeting;
    bool m_finished = false;
};
