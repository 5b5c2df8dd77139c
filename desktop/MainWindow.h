#pragma once

#include <chrono>

#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include "SandboxKey.h"

class HostManager;
class HostStore;
class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QSlider;
class QStackedWidget;
class QToolBar;
class QToolButton;
class SandboxActions;
class SandboxDetailWindow;
class SandboxFilterModel;
class SandboxListModel;
class ThumbnailCache;
class TileDelegate;

// The grid of every sandbox on every host, with the hosts' states, filters, search and tile
// size; thumbnails of the visible tiles refresh every two seconds.
class MainWindow : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    static constexpr std::chrono::milliseconds ActivityRepaintInterval{1000};
    static constexpr std::chrono::milliseconds ScrollSettleDelay{150};
    static constexpr int SlowRepaintTicks = 30;

    MainWindow(SandboxListModel &model, HostManager &hosts, ThumbnailCache &thumbnails,
               HostStore &store, QWidget *parent = nullptr);
    ~MainWindow() override;

    QListView *view() const { return m_view; }
    SandboxFilterModel *filterModel() const { return m_filter; }
    TileDelegate *delegate() const { return m_delegate; }
    SandboxActions *actions() const { return m_actions; }
    QLineEdit *searchEdit() const { return m_search; }
    QComboBox *hostFilterBox() const { return m_hostFilter; }
    QComboBox *statusFilterBox() const { return m_statusFilter; }
    QToolBar *hostBar() const { return m_hostBar; }

    // Hosts given on the command line: shown, not saved.
    void markTransient(const QString &host) { m_transient.insert(host); }
    QList<SandboxKey> visibleKeys() const;
    SandboxDetailWindow *openDetail(const SandboxKey &key);
    SandboxDetailWindow *detailWindow(const SandboxKey &key) const;
    void setTileWidth(int width);
    void refreshThumbnails();

public Q_SLOTS:
    void addHost();
    void editHost(const QString &name);
    void removeHost(const QString &name);
    void newSandbox();
    void editSettings();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildToolBars();
    void buildView();
    void updateHostButton(const QString &name);
    void rebuildHostFilter();
    void updatePlaceholder();
    void updateSummary();
    void showContextMenu(const QPoint &position);
    void thumbnailChanged(const SandboxKey &key);
    void repaintActivity();
    SandboxKey currentKey() const;

    SandboxListModel &m_model;
    HostManager &m_hosts;
    ThumbnailCache &m_thumbnails;
    HostStore &m_store;
    SandboxFilterModel *m_filter;
    TileDelegate *m_delegate;
    SandboxActions *m_actions;
    QListView *m_view = nullptr;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_placeholder = nullptr;
    QLabel *m_summary = nullptr;
    QToolBar *m_hostBar = nullptr;
    QComboBox *m_hostFilter = nullptr;
    QComboBox *m_statusFilter = nullptr;
    QComboBox *m_grouping = nullptr;
    QLineEdit *m_search = nullptr;
    QSlider *m_tileSize = nullptr;
    QHash<QString, QToolButton *> m_hostButtons;
    QHash<SandboxKey, QPointer<SandboxDetailWindow>> m_details;
    QSet<QString> m_transient;
    QTimer m_thumbnailTimer;
    QTimer m_activityTimer;
    QTimer m_scrollSettled;
    int m_activityTicks = 0;
};
