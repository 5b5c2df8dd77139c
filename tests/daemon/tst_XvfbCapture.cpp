#include <signal.h>

#include <QBuffer>
#include <QImageReader>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "capture/FrameProcessor.h"
#include "capture/XcbScreen.h"
#include "sandbox/XvfbLauncher.h"
#include "sys/ProcessInfo.h"
#include "sys/XauthFile.h"

// A real Xvfb: started the way sandboxes get theirs, checked for access control, captured
// through MIT-SHM with DAMAGE telling changed frames from unchanged ones.
class tst_XvfbCapture : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void authFileIsReadableByXauth();
    void accessControlIsOn();
    void grabsTheScreenAtItsSize();
    void damageSkipsUnchangedFrames();
    void busyDisplayIsSkipped();
    void stopEndsOnlyOurXvfb();
    void frameProcessorThumbnail();

private:
    XvfbInstance launch(int firstDisplay);
    int runWithXauthority(const QString &program, const QStringList &args,
                          const QString &xauthority);

    QTemporaryDir m_dir;
    XvfbLauncher m_launcher;
    XvfbInstance m_xvfb;
    QList<qint64> m_started;
};

XvfbInstance tst_XvfbCapture::launch(int firstDisplay)
{
    static int n = 0;
    XvfbRequest request;
    request.sandboxId = QStringLiteral("test-%1").arg(++n);
    request.firstDisplay = firstDisplay;
    request.size = QSize(800, 600);
    request.runDir = m_dir.path();
    std::optional<Expected<XvfbInstance, QString>> result;
    m_launcher.start(request, this,
                     [&](Expected<XvfbInstance, QString> r) { result = std::move(r); });
    if (!QTest::qWaitFor([&] { return result.has_value(); }, 15000))
        qFatal("Xvfb did not start in time");
    if (!*result)
        qFatal("Xvfb failed: %s", qPrintable(result->error()));
    m_started.append((*result)->pid);
    return **result;
}

int tst_XvfbCapture::runWithXauthority(const QString &program, const QStringList &args,
                                       const QString &xauthority)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XAUTHORITY"), xauthority);
    env.insert(QStringLiteral("DISPLAY"), u':' + QString::number(m_xvfb.display));
    process.setProcessEnvironment(env);
    process.start(program, args);
    process.waitForFinished(10000);
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

void tst_XvfbCapture::initTestCase()
{
    m_xvfb = launch(60);
    QVERIFY(m_xvfb.display >= 60);
    QVERIFY(m_xvfb.pid > 0);
    QVERIFY(m_xvfb.startTicks > 0);
}

void tst_XvfbCapture::cleanupTestCase()
{
    for (const qint64 pid : m_started)
        ::kill(static_cast<pid_t>(pid), SIGKILL);
}

void tst_XvfbCapture::authFileIsReadableByXauth()
{
    QProcess xauth;
    xauth.start(QStringLiteral("xauth"),
                {QStringLiteral("-f"), m_xvfb.clientAuthFile, QStringLiteral("list")});
    QVERIFY(xauth.waitForFinished(10000));
    const QByteArray listing = xauth.readAllStandardOutput();
    QVERIFY2(listing.contains(m_xvfb.cookie.toHex()), listing.constData());
    QVERIFY2(listing.contains(QByteArray(":" + QByteArray::number(m_xvfb.display))),
             listing.constData());
    QCOMPARE(XauthFile::readCookie(m_xvfb.clientAuthFile), m_xvfb.cookie);
    QCOMPARE(QFileInfo(m_xvfb.clientAuthFile).permissions() & QFileDevice::ReadOther,
             QFileDevice::Permissions());
    // The cookie is not on any command line.
    const QStringList args = ProcessInfo::commandLine(m_xvfb.pid);
    QVERIFY(!args.join(u' ').contains(QString::fromLatin1(m_xvfb.cookie.toHex())));
    QVERIFY(args.contains(QStringLiteral("-nolisten")));
    QVERIFY(!args.contains(QStringLiteral("-ac")));
}

void tst_XvfbCapture::accessControlIsOn()
{
    QCOMPARE(runWithXauthority(QStringLiteral("xdpyinfo"), {}, m_xvfb.clientAuthFile), 0);
    QVERIFY(runWithXauthority(QStringLiteral("xdpyinfo"), {}, QStringLiteral("/nonexistent")) != 0);
}

void tst_XvfbCapture::grabsTheScreenAtItsSize()
{
    XcbScreen screen(m_xvfb.display, m_xvfb.cookie);
    QSize size;
    const auto outcome = screen.grab(true, [&](const QImage &image) { size = image.size(); });
    QVERIFY2(outcome, qPrintable(outcome ? QString() : outcome.error()));
    QCOMPARE(*outcome, XcbScreen::Outcome::Grabbed);
    QCOMPARE(size, QSize(800, 600));

    XcbScreen wrongCookie(m_xvfb.display, QByteArray(16, 'x'));
    QVERIFY(!wrongCookie.grab(true, [](const QImage &) {}));
}

void tst_XvfbCapture::damageSkipsUnchangedFrames()
{
    XcbScreen screen(m_xvfb.display, m_xvfb.cookie);
    quint64 first = 0;
    QVERIFY(screen.grab(false, [&](const QImage &image) { first = FrameProcessor::hash(image); }));
    const auto unchanged = screen.grab(false, [](const QImage &) {});
    QVERIFY(unchanged);
    QCOMPARE(*unchanged, XcbScreen::Outcome::Unchanged);

    // Draw: a small X program from Debian maps a window.
    QProcess xlogo;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XAUTHORITY"), m_xvfb.clientAuthFile);
    env.insert(QStringLiteral("DISPLAY"), u':' + QString::number(m_xvfb.display));
    xlogo.setProcessEnvironment(env);
    xlogo.start(QStringLiteral("xlogo"),
                {QStringLiteral("-geometry"), QStringLiteral("300x300+10+10")});
    QVERIFY(xlogo.waitForStarted());
    quint64 changed = first;
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                 const auto outcome = screen.grab(false, [&](const QImage &image) {
                                     changed = FrameProcessor::hash(image);
                                 });
                                 return outcome && changed != first;
                             }()),
                             10000);
    xlogo.kill();
    xlogo.waitForFinished();
}

void tst_XvfbCapture::busyDisplayIsSkipped()
{
    // Another server already holds the first number we try.
    QProcess other;
    other.start(QStringLiteral("Xvfb"),
                {QStringLiteral(":75"), QStringLiteral("-nolisten"), QStringLiteral("tcp"),
                 QStringLiteral("-displayfd"), QStringLiteral("1")});
    QVERIFY(other.waitForReadyRead(10000));
    const XvfbInstance second = launch(75);
    QVERIFY(second.display > 75);
    other.kill();
    other.waitForFinished();
}

void tst_XvfbCapture::stopEndsOnlyOurXvfb()
{
    const XvfbInstance instance = launch(80);
    // A wrong start time means the pid was recycled: it is left alone.
    XvfbLauncher::stop(instance.pid, instance.startTicks + 1, ProcessInfo::bootId(),
                       instance.serverAuthFile);
    QTest::qWait(200);
    QVERIFY(ProcessInfo::isAlive(instance.pid));
    XvfbLauncher::stop(instance.pid, instance.startTicks, ProcessInfo::bootId(),
                       instance.serverAuthFile);
    QTRY_VERIFY_WITH_TIMEOUT(!ProcessInfo::isSameProcess(instance.pid, instance.startTicks, {},
                                                         QStringLiteral("Xvfb"),
                                                         instance.serverAuthFile),
                             5000);
}

void tst_XvfbCapture::frameProcessorThumbnail()
{
    QImage image(1920, 1080, QImage::Format_RGB32);
    image.fill(Qt::darkBlue);
    const ProcessedFrame frame = FrameProcessor::process(image, {});
    QVERIFY(frame.changed);
    QCOMPARE(frame.size, QSize(1920, 1080));
    QBuffer buffer;
    buffer.setData(frame.thumbnailJpeg);
    QImageReader reader(&buffer, "jpeg");
    QCOMPARE(reader.size(), QSize(480, 270));
    FrameWants again;
    again.previousHash = frame.hash;
    const ProcessedFrame same = FrameProcessor::process(image, again);
    QVERIFY(!same.changed);
    QVERIFY(same.thumbnailJpeg.isEmpty()); // nothing changed: nothing encoded
    image.setPixel(5, 5, qRgb(255, 0, 0));
    QVERIFY(FrameProcessor::hash(image) != frame.hash);
}

QTEST_GUILESS_MAIN(tst_XvfbCapture)
#include "tst_XvfbCapture.moc"
