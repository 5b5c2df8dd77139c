#include "MainWindow.h"

#include <QAction>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QScrollBar>
#include <QSlider>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include "Activity.h"
#include "AppIcon.h"
#include "CreateSandboxDialog.h"
#include "HostDialog.h"
#include "HostManager.h"
#include "HostStore.h"
#include "SandboxActions.h"
#include "SandboxDetailWindow.h"
#include "SandboxFilterModel.h"
#include "SandboxListModel.h"
#include "ThumbnailCache.h"
#include "TileDelegate.h"

namespace {

constexpr int StatusMessageMs = 10000;
constexpr int TileStep = 20;

QColor hostStateColor(HostConnection::State state)
{
    switch (state) {
    case HostConnection::State::Connected:
        return QColor(0x2e, 0x7d, 0x32);
    case HostConnection::State::Connecting:
    case HostConnection::State::Stopped:
        return QColor(0xf9, 0xa8, 0x25);
    case HostConnection::State::DaemonNotRunning:
        return QColor(0xef, 0x6c, 0x00);
    case HostConnection::State::AuthFailed:
    case HostConnection::State::Unreachable:
    case HostConnection::State::Error:
        return QColor(0xc6, 0x28, 0x28);
    }
    return Qt::gray;
}

QIcon dot(const QColor &color)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setBrush(color);
    painter.setPen(Qt::NoPen);
    painter.drawEllipse(QRectF(1, 1, 10, 10));
    return QIcon(pixmap);
}

} // namespace

MainWindow::MainWindow(SandboxListModel &model, HostManager &hosts, ThumbnailCache &thumbnails,
                       HostStore &store, QWidget *parent)
    : QMainWindow(parent)
    , m_model(model)
    , m_hosts(hosts)
    , m_thumbnails(thumbnails)
    , m_store(store)
    , m_filter(new SandboxFilterModel(this))
    , m_delegate(new TileDelegate(thumbnails, this))
    , m_actions(new SandboxActions(hosts, store, this))
{
    setWindowTitle(QStringLiteral("claude-remote-viewer"));
    setWindowIcon(AppIcon::icon());
    m_filter->setSourceModel(&m_model);
    m_delegate->setTileWidth(m_store.tileWidth());
    buildToolBars();
    buildView();
    m_summary = new QLabel(this);
    statusBar()->addPermanentWidget(m_summary);

    connect(&m_hosts, &HostManager::hostAdded, this, [this](const QString &name) {
        updateHostButton(name);
        rebuildHostFilter();
        updatePlaceholder();
    });
    connect(&m_hosts, &HostManager::hostRemoved, this, [this](const QString &name) {
        delete m_hostButtons.take(name);
        rebuildHostFilter();
        updatePlaceholder();
    });
    connect(&m_hosts, &HostManager::hostStateChanged, this, [this](const QString &name) {
        updateHostButton(name);
        updateSummary();
        updatePlaceholder();
        // Tiles of a host that just came back want their pictures now, not in two seconds.
        if (HostConnection *host = m_hosts.connection(name); host && host->isUp())
            m_scrollSettled.start();
    });
    connect(m_actions, &SandboxActions::failed, this,
            [this](const QString &message) { statusBar()->showMessage(message, StatusMessageMs); });
    connect(m_actions, &SandboxActions::succeeded, this,
            [this](const QString &message) { statusBar()->showMessage(message, StatusMessageMs); });
    connect(&m_thumbnails, &ThumbnailCache::thumbnailChanged, this, &MainWindow::thumbnailChanged);

    for (const auto signal :
         {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved}) {
        connect(m_filter, signal, this, [this] {
            updatePlaceholder();
            updateSummary();
            m_scrollSettled.start();
        });
    }
    connect(m_filter, &QAbstractItemModel::layoutChanged, this,
            [this] { m_scrollSettled.start(); });
    connect(&m_model, &QAbstractItemModel::dataChanged, this, &MainWindow::updateSummary);

    m_thumbnailTimer.setInterval(ThumbnailCache::RefreshInterval);
    connect(&m_thumbnailTimer, &QTimer::timeout, this, &MainWindow::refreshThumbnails);
    m_thumbnailTimer.start();
    m_activityTimer.setInterval(ActivityRepaintInterval);
    connect(&m_activityTimer, &QTimer::timeout, this, &MainWindow::repaintActivity);
    m_activityTimer.start();
    m_scrollSettled.setSingleShot(true);
    m_scrollSettled.setInterval(ScrollSettleDelay);
    connect(&m_scrollSettled, &QTimer::timeout, this, [this] {
        // Newly shown tiles without a picture get one at once; the others wait for the timer.
        QList<SandboxKey> missing;
        for (const SandboxKey &key : visibleKeys()) {
            if (!m_thumbnails.contains(key))
                missing.append(key);
        }
        if (!missing.isEmpty())
            m_thumbnails.refresh(missing);
    });

    for (HostConnection *host : m_hosts.connections())
        updateHostButton(host->name());
    rebuildHostFilter();
    updatePlaceholder();
    updateSummary();

    if (!restoreGeometry(m_store.windowState()))
        resize(1280, 800);
}

MainWindow::~MainWindow()
{
    for (const QPointer<SandboxDetailWindow> &window : std::as_const(m_details))
        delete window.data();
}

void MainWindow::buildToolBars()
{
    QMenu *file = menuBar()->addMenu(tr("&Viewer"));
    QAction *create = file->addAction(tr("&New sandbox…"), this, &MainWindow::newSandbox);
    create->setShortcut(QKeySequence::New);
    file->addAction(tr("&Add host…"), this, &MainWindow::addHost);
    file->addAction(tr("&Settings…"), this, &MainWindow::editSettings);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QToolBar *main = addToolBar(tr("Main"));
    main->setObjectName(QStringLiteral("mainToolBar"));
    main->setMovable(false);
    main->addAction(create);
    main->addAction(tr("Add host…"), this, &MainWindow::addHost);
    main->addSeparator();

    m_hostFilter = new QComboBox(this);
    m_hostFilter->setToolTip(tr("Show the sandboxes of one host"));
    connect(m_hostFilter, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setHostFilter(m_hostFilter->currentData().toString()); });
    main->addWidget(m_hostFilter);

    m_statusFilter = new QComboBox(this);
    m_statusFilter->addItem(tr("All statuses"), -1);
    for (const SandboxStatus status :
         {SandboxStatus::Running, SandboxStatus::Stopped, SandboxStatus::Dead})
        m_statusFilter->addItem(toString(status), static_cast<int>(status));
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this, [this] {
        const int status = m_statusFilter->currentData().toInt();
        m_filter->setStatusFilter(status < 0 ? std::nullopt
                                             : std::optional(static_cast<SandboxStatus>(status)));
    });
    main->addWidget(m_statusFilter);

    m_grouping = new QComboBox(this);
    m_grouping->addItem(tr("Group by host"), static_cast<int>(SandboxFilterModel::Grouping::Host));
    m_grouping->addItem(tr("Group by status"),
                        static_cast<int>(SandboxFilterModel::Grouping::Status));
    m_grouping->addItem(tr("By name"), static_cast<int>(SandboxFilterModel::Grouping::None));
    connect(m_grouping, &QComboBox::currentIndexChanged, this, [this] {
        m_filter->setGrouping(
            static_cast<SandboxFilterModel::Grouping>(m_grouping->currentData().toInt()));
    });
    main->addWidget(m_grouping);

    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search name, id, host, directory…"));
    m_search->setClearButtonEnabled(true);
    m_search->setMaximumWidth(320);
    connect(m_search, &QLineEdit::textChanged, m_filter, &SandboxFilterModel::setSearchText);
    auto *find = new QAction(this);
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, m_search, [this] { m_search->setFocus(); });
    addAction(find);
    main->addWidget(m_search);
    main->addSeparator();

    main->addWidget(new QLabel(tr(" Tile size "), this));
    m_tileSize = new QSlider(Qt::Horizontal, this);
    m_tileSize->setRange(TileDelegate::MinimumTileWidth, TileDelegate::MaximumTileWidth);
    m_tileSize->setSingleStep(TileStep);
    m_tileSize->setPageStep(TileStep * 4);
    m_tileSize->setMaximumWidth(160);
    m_tileSize->setValue(m_delegate->tileWidth());
    connect(m_tileSize, &QSlider::valueChanged, this, &MainWindow::setTileWidth);
    main->addWidget(m_tileSize);

    addToolBarBreak();
    m_hostBar = addToolBar(tr("Hosts"));
    m_hostBar->setObjectName(QStringLiteral("hostToolBar"));
    m_hostBar->setMovable(false);
    m_hostBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
}

void MainWindow::buildView()
{
    m_view = new QListView(this);
    m_view->setModel(m_filter);
    m_view->setItemDelegate(m_delegate);
    m_view->setViewMode(QListView::IconMode);
    m_view->setResizeMode(QListView::Adjust);
    m_view->setMovement(QListView::Static);
    m_view->setWrapping(true);
    m_view->setUniformItemSizes(true);
    m_view->setSpacing(6);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setMouseTracking(true);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setFrameShape(QFrame::NoFrame);
    connect(m_view, &QListView::doubleClicked, this, [this](const QModelIndex &index) {
        openDetail(index.data(SandboxListModel::KeyRole).value<SandboxKey>());
    });
    connect(m_view, &QListView::activated, this, [this](const QModelIndex &index) {
        openDetail(index.data(SandboxListModel::KeyRole).value<SandboxKey>());
    });
    connect(m_view, &QWidget::customContextMenuRequested, this, &MainWindow::showContextMenu);
    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, &m_scrollSettled,
            qOverload<>(&QTimer::start));

    m_placeholder = new QLabel(this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setTextFormat(Qt::RichText);
    connect(m_placeholder, &QLabel::linkActivated, this, [this](const QString &link) {
        if (link == u"add-host")
            addHost();
        else if (link == u"new-sandbox")
            newSandbox();
    });

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_view);
    m_stack->addWidget(m_placeholder);
    setCentralWidget(m_stack);
}

void MainWindow::setTileWidth(int width)
{
    m_delegate->setTileWidth(width);
    m_store.setTileWidth(m_delegate->tileWidth());
    if (m_tileSize->value() != m_delegate->tileWidth())
        m_tileSize->setValue(m_delegate->tileWidth());
    Q_EMIT m_delegate->sizeHintChanged(QModelIndex());
    m_scrollSettled.start();
}

void MainWindow::updateHostButton(const QString &name)
{
    HostConnection *host = m_hosts.connection(name);
    if (!host)
        return;
    QToolButton *button = m_hostButtons.value(name);
    if (!button) {
        button = new QToolButton(m_hostBar);
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        button->setPopupMode(QToolButton::InstantPopup);
        auto *menu = new QMenu(button);
        menu->addAction(tr("Reconnect"), this, [this, name] {
            if (HostConnection *target = m_hosts.connection(name))
                target->reconnect();
        });
        menu->addAction(tr("Show only this host"), this, [this, name] {
            m_hostFilter->setCurrentIndex(m_hostFilter->findData(name));
        });
        menu->addAction(tr("Edit…"), this, [this, name] { editHost(name); });
        menu->addAction(tr("Remove…"), this, [this, name] { removeHost(name); });
        button->setMenu(menu);
        m_hostBar->addWidget(button);
        m_hostButtons.insert(name, button);
    }
    button->setIcon(dot(hostStateColor(host->state())));
    button->setText(QStringLiteral("%1: %2").arg(name, HostConnection::toString(host->state())));
    button->setToolTip(host->summary());
}

void MainWindow::rebuildHostFilter()
{
    const QString current = m_hostFilter->currentData().toString();
    const QSignalBlocker blocker(m_hostFilter);
    m_hostFilter->clear();
    m_hostFilter->addItem(tr("All hosts"), QString());
    for (const QString &name : m_hosts.names())
        m_hostFilter->addItem(name, name);
    const int again = m_hostFilter->findData(current);
    m_hostFilter->setCurrentIndex(again >= 0 ? again : 0);
    m_filter->setHostFilter(m_hostFilter->currentData().toString());
}

void MainWindow::updatePlaceholder()
{
    if (m_filter->rowCount() > 0) {
        m_stack->setCurrentWidget(m_view);
        return;
    }
    QString text;
    if (m_hosts.connections().isEmpty()) {
        text = tr("<p>No hosts yet.</p><p><a href='add-host'>Add a host…</a> (an SSH "
                  "destination such as user@server) or start the viewer with --url.</p>");
    } else if (m_model.rowCount() > 0) {
        text = tr("<p>No sandbox matches the filters.</p>");
    } else {
        bool anyUp = false;
        for (HostConnection *host : m_hosts.connections())
            anyUp = anyUp || host->isUp();
        text = anyUp ? tr("<p>No sandboxes yet.</p><p><a href='new-sandbox'>Create one…</a></p>")
                     : tr("<p>Waiting for the hosts: see their state above.</p>");
    }
    m_placeholder->setText(text);
    m_stack->setCurrentWidget(m_placeholder);
}

void MainWindow::updateSummary()
{
    int running = 0;
    int active = 0;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int row = 0; row < m_model.rowCount(); ++row) {
        const Sandbox *sandbox = m_model.sandbox(m_model.keyAt(row));
        if (sandbox && sandbox->isRunning()) {
            ++running;
            active += Activity::isActive(*sandbox, now) ? 1 : 0;
        }
    }
    int up = 0;
    for (HostConnection *host : m_hosts.connections())
        up += host->isUp() ? 1 : 0;
    m_summary->setText(tr("%1 sandboxes, %2 running (%3 active) · %4 of %5 hosts connected")
                           .arg(m_model.rowCount())
                           .arg(running)
                           .arg(active)
                           .arg(up)
                           .arg(m_hosts.connections().size()));
}

QList<SandboxKey> MainWindow::visibleKeys() const
{
    QList<SandboxKey> keys;
    const QRect viewport = m_view->viewport()->rect();
    for (int row = 0; row < m_filter->rowCount(); ++row) {
        const QModelIndex index = m_filter->index(row, 0);
        if (!m_view->visualRect(index).intersects(viewport))
            continue;
        if (index.data(SandboxListModel::StatusRole).toInt() !=
                static_cast<int>(SandboxStatus::Running) ||
            !index.data(SandboxListModel::HostUpRole).toBool())
            continue;
        keys.append(index.data(SandboxListModel::KeyRole).value<SandboxKey>());
    }
    return keys;
}

void MainWindow::refreshThumbnails()
{
    if (!isVisible() || isMinimized() || m_stack->currentWidget() != m_view)
        return;
    const QList<SandboxKey> keys = visibleKeys();
    if (!keys.isEmpty())
        m_thumbnails.refresh(keys);
}

void MainWindow::thumbnailChanged(const SandboxKey &key)
{
    const QModelIndex index = m_filter->mapFromSource(m_model.indexOf(key));
    if (index.isValid())
        m_view->update(index);
}

void MainWindow::repaintActivity()
{
    if (!isVisible() || isMinimized())
        return;
    // "active 3s ago" counts seconds; "idle 12m" changes once a minute at most.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    bool counting = false;
    const QRect viewport = m_view->viewport()->rect();
    for (int row = 0; row < m_filter->rowCount() && !counting; ++row) {
        const QModelIndex index = m_filter->index(row, 0);
        if (!m_view->visualRect(index).intersects(viewport))
            continue;
        const auto sandbox = index.data(SandboxListModel::SandboxRole).value<Sandbox>();
        counting = Activity::countsSeconds(sandbox, now);
    }
    if (counting || ++m_activityTicks >= SlowRepaintTicks) {
        m_activityTicks = 0;
        m_view->viewport()->update();
    }
}

SandboxKey MainWindow::currentKey() const
{
    return m_view->currentIndex().data(SandboxListModel::KeyRole).value<SandboxKey>();
}

void MainWindow::showContextMenu(const QPoint &position)
{
    const QModelIndex index = m_view->indexAt(position);
    if (!index.isValid())
        return;
    const SandboxKey key = index.data(SandboxListModel::KeyRole).value<SandboxKey>();
    const auto sandbox = index.data(SandboxListModel::SandboxRole).value<Sandbox>();
    const bool hostUp = index.data(SandboxListModel::HostUpRole).toBool();
    auto *menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addAction(tr("Open"), this, [this, key] { openDetail(key); });
    menu->addSeparator();
    menu->addAction(tr("Stop"), this, [this, key] { m_actions->stop(key); })
        ->setEnabled(hostUp && sandbox.isRunning());
    menu->addAction(tr("Start"), this, [this, key] { m_actions->start(key); })
        ->setEnabled(hostUp && !sandbox.isRunning());
    menu->addAction(
            tr("Delete…"), this,
            [this, key, name = sandbox.name] { m_actions->confirmAndDelete(key, name, this); })
        ->setEnabled(hostUp);
    menu->addSeparator();
    menu->addAction(tr("Attach in terminal"), this,
                    [this, key, session = sandbox.tmuxSession] {
                        m_actions->attachInTerminal(key, session);
                    })
        ->setEnabled(sandbox.isRunning() && !sandbox.tmuxSession.isEmpty());
    menu->addAction(tr("Copy attach command"), this,
                    [this, key, session = sandbox.tmuxSession] {
                        m_actions->copyAttachCommand(key, session);
                    })
        ->setEnabled(!sandbox.tmuxSession.isEmpty());
    menu->addAction(tr("Open in browser"), this, [this, key] { m_actions->openInBrowser(key); })
        ->setEnabled(hostUp);
    menu->popup(m_view->viewport()->mapToGlobal(position));
}

SandboxDetailWindow *MainWindow::openDetail(const SandboxKey &key)
{
    if (!key.isValid() || !m_model.sandbox(key))
        return nullptr;
    if (SandboxDetailWindow *existing = detailWindow(key)) {
        existing->show();
        existing->raise();
        existing->activateWindow();
        return existing;
    }
    auto *window = new SandboxDetailWindow(key, m_model, m_hosts, *m_actions);
    m_details.insert(key, window);
    window->show();
    return window;
}

SandboxDetailWindow *MainWindow::detailWindow(const SandboxKey &key) const
{
    return m_details.value(key).data();
}

void MainWindow::addHost()
{
    auto *dialog = new HostDialog(HostSettings{}, m_hosts.names(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const HostSettings settings = dialog->settings();
        QList<HostSettings> saved = m_store.hosts();
        saved.append(settings);
        m_store.setHosts(saved);
        m_hosts.addHost(settings);
    });
    dialog->open();
}

void MainWindow::editHost(const QString &name)
{
    HostConnection *host = m_hosts.connection(name);
    if (!host)
        return;
    QStringList others = m_hosts.names();
    others.removeAll(name);
    auto *dialog = new HostDialog(host->settings(), others, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, name] {
        const HostSettings settings = dialog->settings();
        if (!m_transient.contains(name)) {
            QList<HostSettings> saved = m_store.hosts();
            for (HostSettings &entry : saved) {
                if (entry.name == name)
                    entry = settings;
            }
            m_store.setHosts(saved);
        } else {
            m_transient.insert(settings.name);
        }
        m_hosts.replaceHost(name, settings);
    });
    dialog->open();
}

void MainWindow::removeHost(const QString &name)
{
    auto *box = new QMessageBox(QMessageBox::Question, tr("Remove host"),
                                tr("Stop watching %1? Its sandboxes keep running.").arg(name),
                                QMessageBox::Cancel, this);
    QPushButton *confirm = box->addButton(tr("Remove"), QMessageBox::AcceptRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box, confirm, name] {
        if (box->clickedButton() != confirm)
            return;
        QList<HostSettings> saved = m_store.hosts();
        saved.removeIf([&](const HostSettings &entry) { return entry.name == name; });
        m_store.setHosts(saved);
        m_hosts.removeHost(name);
    });
    box->open();
}

void MainWindow::newSandbox()
{
    QString preferred = m_filter->hostFilter();
    if (preferred.isEmpty())
        preferred = currentKey().host;
    auto *dialog = new CreateSandboxDialog(m_hosts, preferred, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &CreateSandboxDialog::created, this, [this](const SandboxKey &key) {
        statusBar()->showMessage(tr("Created %1 on %2").arg(key.id.left(8), key.host),
                                 StatusMessageMs);
    });
    dialog->open();
}

void MainWindow::editSettings()
{
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Terminal"));
    dialog->setLabelText(tr("Terminal command for \"Attach in terminal\"\n(the ssh command is "
                            "appended to it):"));
    dialog->setTextValue(m_store.terminalCommand());
    connect(dialog, &QInputDialog::textValueSelected, this, [this](const QString &command) {
        m_store.setTerminalCommand(command.trimmed().isEmpty() ? HostStore::defaultTerminalCommand()
                                                               : command.trimmed());
    });
    dialog->open();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_store.setWindowState(saveGeometry());
    for (const QPointer<SandboxDetailWindow> &window : std::as_const(m_details)) {
        if (window)
            window->close();
    }
    QMainWindow::closeEvent(event);
}
