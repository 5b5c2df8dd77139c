#pragma once

#include <optional>

#include <QSortFilterProxyModel>

#include "shared/Sandbox.h"

// Filters the grid by host, status and search text, and orders it (grouped by host or by
// status, then by name).
class SandboxFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxFilterModel)

public:
    enum class Grouping
    {
        None,
        Host,
        Status
    };

    explicit SandboxFilterModel(QObject *parent = nullptr);

    void setHostFilter(const QString &host); // empty: all hosts
    QString hostFilter() const { return m_host; }
    void setStatusFilter(std::optional<SandboxStatus> status);
    std::optional<SandboxStatus> statusFilter() const { return m_status; }
    void setSearchText(const QString &text);
    QString searchText() const { return m_search; }
    void setGrouping(Grouping grouping);
    Grouping grouping() const { return m_grouping; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    QString m_host;
    std::optional<SandboxStatus> m_status;
    QString m_search;
    Grouping m_grouping = Grouping::Host;
};
