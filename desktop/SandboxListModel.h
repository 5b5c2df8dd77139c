#pragma once

#include <QAbstractListModel>
#include <QHash>
#include <QList>

#include "SandboxKey.h"
#include "shared/Sandbox.h"

// Every sandbox of every host, one row each, keyed by (host, id). A poll's list is merged by
// diffing: rows are inserted and removed per id and changed rows report the roles that
// changed, so views keep their selection and scroll position.
class SandboxListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxListModel)

public:
    enum Role
    {
        SandboxRole = Qt::UserRole, // the whole Sandbox
        KeyRole,                    // SandboxKey
        HostRole,
        IdRole,
        NameRole,
        StatusRole, // SandboxStatus as int
        BackendRole,
        ProjectDirRole,
        LastActivityRole,
        ReasonRole,
        HostUpRole,     // bool: the host answers
        HostReasonRole, // why it does not
        SearchTextRole  // what the search box matches against
    };
    Q_ENUM(Role)

    explicit SandboxListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void updateHost(const QString &host, const QList<Sandbox> &sandboxes);
    void setHostState(const QString &host, bool up, const QString &reason = {});
    void removeHost(const QString &host);

    QModelIndex indexOf(const SandboxKey &key) const;
    const Sandbox *sandbox(const SandboxKey &key) const;
    SandboxKey keyAt(int row) const;
    bool isHostUp(const QString &host) const;
    QString hostReason(const QString &host) const;

private:
    struct Row
    {
        QString host;
        Sandbox sandbox;
    };
    struct HostState
    {
        bool up = true;
        QString reason;
    };

    static QList<int> changedRoles(const Sandbox &before, const Sandbox &after);
    void removeRow(int row);
    void reindex();

    QList<Row> m_rows;
    QHash<SandboxKey, int> m_index;
    QHash<QString, HostState> m_hosts;
};
