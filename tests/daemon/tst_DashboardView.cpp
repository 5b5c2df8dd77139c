#include <QElapsedTimer>
#include <QTest>

#include "capture/FrameStore.h"
#include "web/DashboardView.h"

class tst_DashboardView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void namesAreText_data();
    void namesAreText();
    void emptyStateOffersTheDemo_data();
    void emptyStateOffersTheDemo();
    void thumbnailUrlFollowsTheFrame();
    void listIsStableOverTime();
    void formKeepsValuesAndShowsErrors();
    void systemMetrics();
    void renderTimes_data();
    void renderTimes();

private:
    static Sandbox sandbox(int index);
    static ProcessedFrame frame(quint64 hash);
    static QList<SystemMetrics> history();

    std::optional<DashboardView> m_view;
};

Sandbox tst_DashboardView::sandbox(int index)
{
    Sandbox s;
    s.id = QStringLiteral("%1-1111-4222-8333-444455556666").arg(index, 8, 16, QLatin1Char('0'));
    s.name = QStringLiteral("agent-%1").arg(index);
    s.backend = QStringLiteral("bubblewrap");
    s.projectDir = QStringLiteral("/home/user/projects/project-%1").arg(index);
    s.status = index % 5 == 4   ? SandboxStatus::Stopped
               : index % 7 == 6 ? SandboxStatus::Dead
                                : SandboxStatus::Running;
    if (s.isRunning()) {
        s.displayNum = 50 + index;
        s.tmuxSession = QStringLiteral("sandbox-") + s.shortId();
        s.lastActivityAt = QDateTime::fromSecsSinceEpoch(1760000000 + index, Qt::UTC);
    } else {
        s.reason = QStringLiteral("backend exited with status 1");
    }
    s.createdAt = QDateTime::fromSecsSinceEpoch(1750000000 + index * 60, Qt::UTC);
    s.startedAt = s.createdAt;
    return s;
}

ProcessedFrame tst_DashboardView::frame(quint64 hash)
{
    ProcessedFrame frame;
    frame.hash = hash;
    frame.size = QSize(1920, 1080);
    frame.changed = true;
    frame.thumbnailJpeg = QByteArray(20000, 'j');
    return frame;
}

QList<SystemMetrics> tst_DashboardView::history()
{
    QList<SystemMetrics> samples;
    for (int i = 0; i < 120; ++i) {
        SystemMetrics m;
        m.cpuUsage = 12.5 + i % 10;
        m.memoryUsed = 6ULL << 30;
        m.memoryTotal = 16ULL << 30;
        m.diskUsed = 100ULL << 30;
        m.diskTotal = 500ULL << 30;
        m.netRxBytes = 1000000ULL + quint64(i) * 50000;
        m.netTxBytes = 2000000ULL + quint64(i) * 10000;
        m.timestampMs = 1760000000000LL + i * 5000LL;
        samples.append(m);
    }
    return samples;
}

void tst_DashboardView::initTestCase()
{
    auto view = DashboardView::load(QStringLiteral(":/web/templates"));
    QVERIFY2(view, view ? "" : qPrintable(view.error()));
    m_view.emplace(std::move(view).value());
}

void tst_DashboardView::namesAreText_data()
{
    QTest::addColumn<QString>("page");
    QTest::addRow("sandbox list") << QStringLiteral("list");
    QTest::addRow("index page") << QStringLiteral("index");
    QTest::addRow("summary") << QStringLiteral("summary");
    QTest::addRow("sandbox page") << QStringLiteral("sandbox");
    QTest::addRow("screenshot") << QStringLiteral("screenshot");
    QTest::addRow("new form") << QStringLiteral("new");
}

void tst_DashboardView::namesAreText()
{
    QFETCH(QString, page);
    Sandbox s = sandbox(1);
    s.name = QStringLiteral("<img src=x onerror=alert(1)>");
    s.projectDir = QStringLiteral("/tmp/\"><script>alert(2)</script>");
    FrameStore frames;
    frames.update(s.id, frame(0xabc));
    const DashboardView::Page pageData{QStringLiteral("tok\"en"), {}};

    QByteArray html;
    if (page == u"list")
        html = m_view->sandboxList({s}, frames, true);
    else if (page == u"index")
        html = m_view->indexPage(pageData, {s}, frames, true, history());
    else if (page == u"summary")
        html = m_view->summary(s, QStringLiteral("<b>failed</b>"));
    else if (page == u"sandbox")
        html = m_view->sandboxPage(pageData, s, frames.find(s.id), {});
    else if (page == u"screenshot")
        html = m_view->screenshot(s, frames.find(s.id));
    else
        html = m_view->newPage(pageData, {},
                               {{s.name, QStringLiteral("stub"), s.projectDir, true}, {}, s.name});

    QVERIFY2(!html.contains("<img src=x"), html.constData());
    QVERIFY(!html.contains("<script>alert"));
    QVERIFY(!html.contains("<b>failed"));
    QVERIFY(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

void tst_DashboardView::emptyStateOffersTheDemo_data()
{
    QTest::addColumn<bool>("demoAvailable");
    QTest::addRow("demo installed") << true;
    QTest::addRow("no demo backend") << false;
}

void tst_DashboardView::emptyStateOffersTheDemo()
{
    QFETCH(bool, demoAvailable);
    const QByteArray html = m_view->sandboxList({}, FrameStore(), demoAvailable);
    QVERIFY(html.contains("No sandboxes yet"));
    QVERIFY(html.contains("href=\"/new\""));
    QCOMPARE(html.contains("hx-post=\"/demo\""), demoAvailable);
}

void tst_DashboardView::thumbnailUrlFollowsTheFrame()
{
    const Sandbox s = sandbox(1);
    FrameStore frames;
    const QByteArray before = m_view->sandboxList({s}, frames, false);
    QVERIFY(!before.contains("size=thumb"));
    QVERIFY(before.contains("Waiting for the first frame"));

    frames.update(s.id, frame(0x1234));
    const QByteArray first = m_view->sandboxList({s}, frames, false);
    QVERIFY(first.contains(
        QByteArray("/api/sandboxes/" + s.id.toUtf8() + "/screenshot?size=thumb&amp;v=1234\"")));
    frames.update(s.id, frame(0x1234));
    QCOMPARE(m_view->sandboxList({s}, frames, false), first);
    frames.update(s.id, frame(0x5678));
    QVERIFY(m_view->sandboxList({s}, frames, false).contains("v=5678\""));
}

void tst_DashboardView::listIsStableOverTime()
{
    // Nothing in the list depends on the clock, so an unchanged list keeps its ETag.
    QList<Sandbox> sandboxes;
    for (int i = 0; i < 5; ++i)
        sandboxes.append(sandbox(i));
    const QByteArray first = m_view->sandboxList(sandboxes, FrameStore(), false);
    QCOMPARE(m_view->sandboxList(sandboxes, FrameStore(), false), first);
    QVERIFY(first.contains("datetime=\"2025-10-09T08:53:20Z\" data-activity>last output 2025-10-09 "
                           "08:53:20 UTC</time>"));
    QVERIFY(!first.contains(" ago"));
}

void tst_DashboardView::formKeepsValuesAndShowsErrors()
{
    BackendSpec stub;
    stub.name = QStringLiteral("stub");
    stub.description = QStringLiteral("A test stub.");
    stub.command = {QStringLiteral("/bin/true")};
    BackendSpec other = stub;
    other.name = QStringLiteral("other");
    DashboardView::Form form;
    form.values = {QStringLiteral("my box"), QStringLiteral("other"), QStringLiteral("/nope"),
                   false};
    form.errors.insert(QStringLiteral("project_dir"), QStringLiteral("/nope is not a directory"));

    const QByteArray html =
        m_view->newPage({QStringLiteral("TOKEN"), {}}, {{stub, true}, {other, false}}, form);
    QVERIFY(html.contains("name=\"csrf_token\" value=\"TOKEN\""));
    QVERIFY(html.contains("value=\"my box\""));
    QVERIFY(html.contains("value=\"/nope\""));
    QVERIFY(html.contains("id=\"backend-other\" name=\"backend\" value=\"other\" checked"));
    QVERIFY(!html.contains("value=\"stub\" checked"));
    QVERIFY(html.contains(
        "<p class=\"field-error\" id=\"project_dir-error\">/nope is not a directory</p>"));
    QVERIFY(html.contains("aria-invalid=\"true\""));
    QVERIFY(html.contains("not installed"));
    QVERIFY(!html.contains("value=\"true\" checked")); // network box unticked as submitted
}

void tst_DashboardView::systemMetrics()
{
    const QByteArray html = m_view->systemMetrics(history());
    QVERIFY(html.contains("data-ts=\"1760000595000\""));
    QVERIFY(html.contains("6.0 GiB of 16.0 GiB (38 %)"));
    QVERIFY(html.contains("9.8 KiB/s")); // 50000 bytes in 5 s
    QVERIFY(m_view->systemMetrics({}).contains("Waiting for the first sample"));
}

void tst_DashboardView::renderTimes_data()
{
    QTest::addColumn<QString>("what");
    for (const char *what : {"fragments/sandbox-list", "fragments/system-metrics",
                             "fragments/claude-metrics", "fragments/screenshot",
                             "fragments/summary", "page /", "page /sandboxes/<id>", "page /new"})
        QTest::addRow("%s", what) << QString::fromLatin1(what);
}

void tst_DashboardView::renderTimes()
{
    // What the daemon does per request, with 50 sandboxes (most running, with frames):
    // build the values from the sandboxes and render. Prints the time per render.
    QFETCH(QString, what);
    QList<Sandbox> sandboxes;
    FrameStore frames;
    for (int i = 0; i < 50; ++i) {
        sandboxes.append(sandbox(i));
        if (sandboxes.last().isRunning())
            frames.update(sandboxes.last().id, frame(0x1000 + quint64(i)));
    }
    const QList<SystemMetrics> samples = history();
    const DashboardView::Page page{QStringLiteral("token"),
                                   {{QStringLiteral("style"), QStringLiteral("abc")}}};
    BackendSpec spec;
    spec.name = QStringLiteral("bubblewrap");
    spec.description = QStringLiteral("Claude Code in bubblewrap.");
    spec.command = {QStringLiteral("claude-sandbox")};
    const QList<DashboardView::Backend> backends{{spec, true}, {spec, false}, {spec, true}};
    const Sandbox &one = sandboxes.first();
    ClaudeMetrics metrics;
    metrics.inputTokens = 123456;

    const auto render = [&]() -> QByteArray {
        if (what == u"fragments/sandbox-list")
            return m_view->sandboxList(sandboxes, frames, true);
        if (what == u"fragments/system-metrics")
            return m_view->systemMetrics(samples);
        if (what == u"fragments/claude-metrics")
            return m_view->claudeMetrics(metrics);
        if (what == u"fragments/screenshot")
            return m_view->screenshot(one, frames.find(one.id));
        if (what == u"fragments/summary")
            return m_view->summary(one);
        if (what == u"page /")
            return m_view->indexPage(page, sandboxes, frames, true, samples);
        if (what == u"page /sandboxes/<id>")
            return m_view->sandboxPage(page, one, frames.find(one.id), metrics);
        return m_view->newPage(page, backends, {});
    };
    QVERIFY(!render().isEmpty());
    constexpr int Rounds = 500;
    QElapsedTimer timer;
    timer.start();
    qsizetype bytes = 0;
    for (int i = 0; i < Rounds; ++i)
        bytes = render().size();
    const double microseconds = double(timer.nsecsElapsed()) / Rounds / 1000.0;
    qInfo("render %-24s with 50 sandboxes: %8.1f us, %6lld bytes", qPrintable(what), microseconds,
          static_cast<long long>(bytes));
}

QTEST_GUILESS_MAIN(tst_DashboardView)
#include "tst_DashboardView.moc"
