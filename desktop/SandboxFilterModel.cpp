#include "SandboxFilterModel.h"

#include "SandboxListModel.h"

SandboxFilterModel::SandboxFilterModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    sort(0);
}

void SandboxFilterModel::setHostFilter(const QString &host)
{
    if (host == m_host)
        return;
    m_host = host;
    invalidateRowsFilter();
}

void SandboxFilterModel::setStatusFilter(std::optional<SandboxStatus> status)
{
    if (status == m_status)
        return;
    m_status = status;
    invalidateRowsFilter();
}

void SandboxFilterModel::setSearchText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_search)
        return;
    m_search = trimmed;
    invalidateRowsFilter();
}

void SandboxFilterModel::setGrouping(Grouping grouping)
{
    if (grouping == m_grouping)
        return;
    m_grouping = grouping;
    invalidate();
}

bool SandboxFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_host.isEmpty() && index.data(SandboxListModel::HostRole).toString() != m_host)
        return false;
    if (m_status && index.data(SandboxListModel::StatusRole).toInt() != static_cast<int>(*m_status))
        return false;
    if (m_search.isEmpty())
        return true;
    const QString haystack = index.data(SandboxListModel::SearchTextRole).toString();
    const QStringList words = m_search.split(u' ', Qt::SkipEmptyParts);
    return std::all_of(words.begin(), words.end(), [&](const QString &word) {
        return haystack.contains(word, Qt::CaseInsensitive);
    });
}

bool SandboxFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const auto compare = [](const QVariant &a, const QVariant &b) {
        return QString::compare(a.toString(), b.toString(), Qt::CaseInsensitive);
    };
    if (m_grouping == Grouping::Host) {
        if (const int c = compare(left.data(SandboxListModel::HostRole),
                                  right.data(SandboxListModel::HostRole)))
            return c < 0;
    } else if (m_grouping == Grouping::Status) {
        const int a = left.data(SandboxListModel::StatusRole).toInt();
        const int b = right.data(SandboxListModel::StatusRole).toInt();
        if (a != b)
            return a < b; // running, stopped, dead
    }
    if (const int c =
            compare(left.data(SandboxListModel::NameRole), right.data(SandboxListModel::NameRole)))
        return c < 0;
    // A stable order for equal names: host, then id.
    if (const int c =
            compare(left.data(SandboxListModel::HostRole), right.data(SandboxListModel::HostRole)))
        return c < 0;
    return compare(left.data(SandboxListModel::IdRole), right.data(SandboxListModel::IdRole)) < 0;
}
