#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "CreateSandboxDialog.h"
#include "DaemonProcess.h"
#include "HostManager.h"
#include "MainWindow.h"
#include "SandboxDetailWindow.h"
#include "SandboxFilterModel.h"
#include "SandboxListModel.h"
#include "ScreenshotView.h"
#include "TestHttp.h"
#include "ThumbnailCache.h"
#include "TileDelegate.h"
#include "ViewerApp.h"

// The whole viewer window (offscreen) against the real daemon binary: what a user sees in
// the grid as sandboxes come, change and go.
class tst_ViewerIntegration : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void gridFollowsTheDaemon();
    void thumbnailsLoadThenRevalidate();
    void detailWindowShowsScreenLogAndInfo();
    void createDialogShowsFieldErrors();
    void hostGoneGreysTilesWithoutBlocking();

private:
    QString create(const QString &name, const QString &backend = QStringLiteral("stub"));
    QModelIndex tile(const QString &id) const;
    bool badgeHasColor(const QString &id, const QColor &color) const;

    std::unique_ptr<DaemonProcess> m_daemon;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<ViewerApp> m_viewer;
    TestHttp m_http;
};

void tst_ViewerIntegration::init()
{
    m_daemon = std::make_unique<DaemonProcess>();
    QVERIFY(m_daemon->start());
    m_dir = std::make_unique<QTemporaryDir>();
    m_settings = std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("viewer.ini")),
                                             QSettings::IniFormat);
    m_viewer = std::make_unique<ViewerApp>(*m_settings,
                                           ViewerApp::Options{{}, m_daemon->url(), {}, false});
    QVERIFY(m_viewer->start());
    m_viewer->window().resize(1280, 800);
    m_viewer->window().show();
    QVERIFY(QTest::qWaitForWindowExposed(&m_viewer->window()));
}

void tst_ViewerIntegration::cleanup()
{
    m_viewer.reset();
    m_settings.reset();
    m_dir.reset();
    m_daemon.reset();
}

QString tst_ViewerIntegration::create(const QString &name, const QString &backend)
{
    const HttpResult created = m_http.postJson(
        m_daemon->url(QStringLiteral("/api/sandboxes")),
        QJsonDocument(QJsonObject{{QStringLiteral("name"), name},
                                  {QStringLiteral("backend"), backend},
                                  {QStringLiteral("project_dir"), m_daemon->projectDir()}})
            .toJson());
    if (created.status != 201)
        qWarning() << "create failed" << created.status << created.body;
    return created.json().object().value(QStringLiteral("id")).toString();
}

QModelIndex tst_ViewerIntegration::tile(const QString &id) const
{
    const SandboxKey key{ViewerApp::hostNameFor(m_daemon->url()), id};
    return m_viewer->window().filterModel()->mapFromSource(m_viewer->model().indexOf(key));
}

bool tst_ViewerIntegration::badgeHasColor(const QString &id, const QColor &color) const
{
    // What the user sees: the painted tile, not the model.
    QListView *view = m_viewer->window().view();
    const QRect rect = view->visualRect(tile(id));
    if (!rect.isValid())
        return false;
    const QImage image = view->viewport()->grab(rect).toImage();
    for (int y = 8; y < 26 && y < image.height(); ++y) {
        for (int x = 8; x < 30 && x < image.width(); ++x) {
            const QColor pixel =
                image.pixelColor(x * image.devicePixelRatio(), y * image.devicePixelRatio());
            if (qAbs(pixel.red() - color.red()) < 8 && qAbs(pixel.green() - color.green()) < 8 &&
                qAbs(pixel.blue() - color.blue()) < 8)
                return true;
        }
    }
    return false;
}

void tst_ViewerIntegration::gridFollowsTheDaemon()
{
    MainWindow &window = m_viewer->window();
    const QString first = create(QStringLiteral("first"));
    const QString second = create(QStringLiteral("second"));
    const QString third = create(QStringLiteral("third"));
    QTRY_COMPARE_WITH_TIMEOUT(window.filterModel()->rowCount(), 3, 10000);
    QVERIFY(window.view()->isVisible()); // the grid, not the "no sandboxes" placeholder

    // A new sandbox appears.
    const QString fourth = create(QStringLiteral("fourth"));
    QTRY_VERIFY_WITH_TIMEOUT(tile(fourth).isValid(), 10000);
    QCOMPARE(window.filterModel()->rowCount(), 4);

    // A stopped one changes its badge, painted in the stopped colour.
    const QColor running = TileDelegate::statusColor(int(SandboxStatus::Running));
    const QColor stopped = TileDelegate::statusColor(int(SandboxStatus::Stopped));
    QTRY_VERIFY_WITH_TIMEOUT(badgeHasColor(second, running), 5000);
    QCOMPARE(
        m_http.request("POST", m_daemon->url(QStringLiteral("/api/sandboxes/%1/stop").arg(second)))
            .status,
        204);
    QTRY_COMPARE_WITH_TIMEOUT(tile(second).data(SandboxListModel::StatusRole).toInt(),
                              int(SandboxStatus::Stopped), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(badgeHasColor(second, stopped), 5000);
    QVERIFY(!badgeHasColor(second, running));

    // A deleted one disappears; the others stay where they were.
    QCOMPARE(
        m_http.request("DELETE", m_daemon->url(QStringLiteral("/api/sandboxes/") + third)).status,
        204);
    QTRY_VERIFY_WITH_TIMEOUT(!tile(third).isValid(), 10000);
    QCOMPARE(window.filterModel()->rowCount(), 3);
    QVERIFY(tile(first).isValid() && tile(fourth).isValid());

    // Filter and search narrow the same grid.
    window.statusFilterBox()->setCurrentIndex(
        window.statusFilterBox()->findData(int(SandboxStatus::Stopped)));
    QCOMPARE(window.filterModel()->rowCount(), 1);
    window.statusFilterBox()->setCurrentIndex(0);
    window.searchEdit()->setText(QStringLiteral("four"));
    QCOMPARE(window.filterModel()->rowCount(), 1);
    QCOMPARE(window.filterModel()->index(0, 0).data(SandboxListModel::NameRole).toString(),
             QStringLiteral("fourth"));
    window.searchEdit()->clear();
    QCOMPARE(window.filterModel()->rowCount(), 3);
}

void tst_ViewerIntegration::thumbnailsLoadThenRevalidate()
{
    const QString id = create(QStringLiteral("screen"));
    const SandboxKey key{ViewerApp::hostNameFor(m_daemon->url()), id};
    ThumbnailCache &thumbnails = m_viewer->thumbnails();
    QTRY_VERIFY_WITH_TIMEOUT(thumbnails.contains(key), 20000);
    const QPixmap pixmap = thumbnails.pixmap(key);
    QVERIFY(pixmap.width() >= 200);
    QCOMPARE(pixmap.width() * 9, pixmap.height() * 16);
    QCOMPARE(thumbnails.statistics(key).loaded, 1u);
    const quint64 bytes = thumbnails.statistics(key).bytes;
    QVERIFY(bytes > 0);

    // The stub's screen does not change: the next refreshes are 304s, with no image bytes.
    QTRY_VERIFY_WITH_TIMEOUT(thumbnails.statistics(key).unchanged >= 2, 10000);
    QCOMPARE(thumbnails.statistics(key).loaded, 1u);
    QCOMPARE(thumbnails.statistics(key).bytes, bytes);

    // A tile scrolled out of sight is not fetched.
    m_viewer->window().setTileWidth(TileDelegate::MaximumTileWidth);
    QStringList more;
    for (int i = 0; i < 8; ++i)
        more.append(create(QStringLiteral("more-%1").arg(i)));
    QTRY_COMPARE_WITH_TIMEOUT(m_viewer->window().filterModel()->rowCount(), 9, 15000);
    const QList<SandboxKey> visible = m_viewer->window().visibleKeys();
    QVERIFY2(visible.size() < 9, qPrintable(QString::number(visible.size())));
    const quint64 before = thumbnails.statistics().requests;
    QTRY_VERIFY_WITH_TIMEOUT(thumbnails.statistics().requests >= before + visible.size(), 10000);
    for (const QString &other : more) {
        const SandboxKey otherKey{key.host, other};
        if (!visible.contains(otherKey))
            QCOMPARE(thumbnails.statistics(otherKey).requests, 0u);
    }
}

void tst_ViewerIntegration::detailWindowShowsScreenLogAndInfo()
{
    const QString id = create(QStringLiteral("detail"));
    QTRY_VERIFY_WITH_TIMEOUT(tile(id).isValid(), 10000);
    QListView *view = m_viewer->window().view();
    QTRY_VERIFY(view->visualRect(tile(id)).isValid());
    const QPoint center = view->visualRect(tile(id)).center();
    // A double click is a press and release, then a press that becomes the double click.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, center);
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, center);
    const SandboxKey key{ViewerApp::hostNameFor(m_daemon->url()), id};
    SandboxDetailWindow *detail = m_viewer->window().detailWindow(key);
    QVERIFY(detail);
    QVERIFY(QTest::qWaitForWindowExposed(detail));
    QVERIFY(detail->windowTitle().startsWith(QLatin1StringView("detail on ")));
    QTRY_VERIFY_WITH_TIMEOUT(!detail->screenshotView()->pixmap().isNull(), 20000);
    QCOMPARE(detail->screenshotView()->pixmap().size(), QSize(1920, 1080));
    QTRY_VERIFY_WITH_TIMEOUT(
        detail->logView()->toPlainText().contains(QLatin1StringView("green stub line red")), 10000);
    QVERIFY(!detail->logView()->toPlainText().contains(u'\x1b')); // escapes stripped

    // Opening again raises the same window.
    QCOMPARE(m_viewer->window().openDetail(key), detail);

    // Deleted elsewhere: the window says so instead of showing stale controls.
    QCOMPARE(m_http.request("DELETE", m_daemon->url(QStringLiteral("/api/sandboxes/") + id)).status,
             204);
    QTRY_VERIFY_WITH_TIMEOUT(detail->windowTitle().contains(QLatin1StringView("deleted")), 10000);
    detail->close();
}

void tst_ViewerIntegration::createDialogShowsFieldErrors()
{
    const QString host = ViewerApp::hostNameFor(m_daemon->url());
    QTRY_VERIFY_WITH_TIMEOUT(!m_viewer->hosts().connection(host)->backends().isEmpty(), 10000);
    m_viewer->window().newSandbox();
    auto *dialog = m_viewer->window().findChild<CreateSandboxDialog *>();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QCOMPARE(dialog->hostBox()->currentText(), host);
    QVERIFY(dialog->backendBox()->findData(QStringLiteral("stub")) >= 0);

    // The daemon's own words, under the field at fault.
    dialog->backendBox()->setCurrentIndex(dialog->backendBox()->findData(QStringLiteral("stub")));
    dialog->nameEdit()->setText(QStringLiteral("from-dialog"));
    dialog->projectDirEdit()->setText(QStringLiteral("not/absolute"));
    dialog->accept();
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->errorText(QStringLiteral("project_dir")).isEmpty(), 10000);
    QVERIFY(dialog->errorText(QStringLiteral("name")).isEmpty());
    QVERIFY(dialog->isVisible());

    dialog->nameEdit()->clear();
    dialog->projectDirEdit()->setText(m_daemon->projectDir());
    dialog->accept();
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->errorText(QStringLiteral("name")).isEmpty(), 10000);
    QVERIFY(dialog->errorText(QStringLiteral("project_dir")).isEmpty());

    QSignalSpy finished(dialog, &QDialog::finished);
    dialog->nameEdit()->setText(QStringLiteral("from-dialog"));
    dialog->accept();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
    QCOMPARE(finished.at(0).at(0).toInt(), int(QDialog::Accepted));
    QTRY_COMPARE_WITH_TIMEOUT(m_viewer->window().filterModel()->rowCount(), 1, 10000);
    QCOMPARE(
        m_viewer->window().filterModel()->index(0, 0).data(SandboxListModel::NameRole).toString(),
        QStringLiteral("from-dialog"));
}

void tst_ViewerIntegration::hostGoneGreysTilesWithoutBlocking()
{
    const QString id = create(QStringLiteral("orphan"));
    QTRY_VERIFY_WITH_TIMEOUT(tile(id).isValid(), 10000);
    QVERIFY(tile(id).data(SandboxListModel::HostUpRole).toBool());

    m_daemon->kill9();
    QTRY_VERIFY_WITH_TIMEOUT(!tile(id).data(SandboxListModel::HostUpRole).toBool(), 10000);
    QVERIFY(tile(id)
                .data(SandboxListModel::HostReasonRole)
                .toString()
                .startsWith(QLatin1StringView("daemon not running")));
    // The tile is still there, and the event loop keeps turning (no dialog, no wait).
    QVERIFY(tile(id).isValid());
    QElapsedTimer timer;
    timer.start();
    QTest::qWait(50);
    QVERIFY(timer.elapsed() < 10000); // only a hang: a modal wait would block for good
    QVERIFY(QApplication::activeModalWidget() == nullptr);
}

QTEST_MAIN(tst_ViewerIntegration)
#include "tst_ViewerIntegration.moc"
