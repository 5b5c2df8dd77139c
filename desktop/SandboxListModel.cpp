#include "SandboxListModel.h"

#include <QSet>

SandboxListModel::SandboxListModel(QObject *parent) : QAbstractListModel(parent) {}

int SandboxListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant SandboxListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const Sandbox &sandbox = row.sandbox;
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return sandbox.name;
    case Qt::ToolTipRole:
        return QStringLiteral("%1 on %2\n%3\n%4 (%5)")
            .arg(sandbox.name, row.host, sandbox.projectDir, toString(sandbox.status),
                 sandbox.reason.isEmpty() ? sandbox.backend : sandbox.reason);
    case SandboxRole:
        return QVariant::fromValue(sandbox);
    case KeyRole:
        return QVariant::fromValue(SandboxKey{row.host, sandbox.id});
    case HostRole:
        return row.host;
    case IdRole:
        return sandbox.id;
    case StatusRole:
        return static_cast<int>(sandbox.status);
    case BackendRole:
        return sandbox.backend;
    case ProjectDirRole:
        return sandbox.projectDir;
    case LastActivityRole:
        return sandbox.lastActivityAt;
    case ReasonRole:
        return sandbox.reason;
    case HostUpRole:
        return isHostUp(row.host);
    case HostReasonRole:
        return hostReason(row.host);
    case SearchTextRole:
        return QStringList{sandbox.name,       sandbox.id,      row.host,
                           sandbox.projectDir, sandbox.backend, toString(sandbox.status)}
            .join(u'\n');
    default:
        return {};
    }
}

QHash<int, QByteArray> SandboxListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert({{SandboxRole, "sandbox"},
                  {KeyRole, "key"},
                  {HostRole, "host"},
                  {IdRole, "id"},
                  {NameRole, "name"},
                  {StatusRole, "status"},
                  {BackendRole, "backend"},
                  {ProjectDirRole, "projectDir"},
                  {LastActivityRole, "lastActivity"},
                  {ReasonRole, "reason"},
                  {HostUpRole, "hostUp"},
                  {HostReasonRole, "hostReason"},
                  {SearchTextRole, "searchText"}});
    return names;
}

QList<int> SandboxListModel::changedRoles(const Sandbox &before, const Sandbox &after)
{
    QList<int> roles{SandboxRole};
    if (before.name != after.name)
        roles += {Qt::DisplayRole, NameRole};
    if (before.status != after.status)
        roles += StatusRole;
    if (before.lastActivityAt != after.lastActivityAt)
        roles += LastActivityRole;
    if (before.reason != after.reason)
        roles += ReasonRole;
    if (before.backend != after.backend)
        roles += BackendRole;
    if (before.projectDir != after.projectDir)
        roles += ProjectDirRole;
    if (roles.size() > 1 && roles != QList<int>{SandboxRole, LastActivityRole})
        roles += {Qt::ToolTipRole, SearchTextRole};
    return roles;
}

void SandboxListModel::updateHost(const QString &host, const QList<Sandbox> &sandboxes)
{
    QSet<QString> incoming;
    for (const Sandbox &sandbox : sandboxes)
        incoming.insert(sandbox.id);

    // Removals, from the end so that earlier rows keep their numbers.
    for (int row = static_cast<int>(m_rows.size()) - 1; row >= 0; --row) {
        if (m_rows.at(row).host == host && !incoming.contains(m_rows.at(row).sandbox.id))
            removeRow(row);
    }

    for (const Sandbox &sandbox : sandboxes) {
        const auto it = m_index.constFind(SandboxKey{host, sandbox.id});
        if (it == m_index.cend()) {
            const int row = static_cast<int>(m_rows.size());
            beginInsertRows({}, row, row);
            m_rows.append(Row{host, sandbox});
            m_index.insert(SandboxKey{host, sandbox.id}, row);
            endInsertRows();
            continue;
        }
        Sandbox &current = m_rows[*it].sandbox;
        if (current == sandbox)
            continue;
        const QList<int> roles = changedRoles(current, sandbox);
        current = sandbox;
        const QModelIndex changed = index(*it);
        Q_EMIT dataChanged(changed, changed, roles);
    }
}

void SandboxListModel::removeRow(int row)
{
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    reindex();
    endRemoveRows();
}

void SandboxListModel::reindex()
{
    m_index.clear();
    for (int row = 0; row < m_rows.size(); ++row)
        m_index.insert(SandboxKey{m_rows.at(row).host, m_rows.at(row).sandbox.id}, row);
}

void SandboxListModel::setHostState(const QString &host, bool up, const QString &reason)
{
    HostState &state = m_hosts[host];
    if (state.up == up && state.reason == reason)
        return;
    state.up = up;
    state.reason = reason;
    int first = -1;
    int last = -1;
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).host != host)
            continue;
        if (first < 0)
            first = row;
        last = row;
    }
    if (first >= 0)
        Q_EMIT dataChanged(index(first), index(last), {HostUpRole, HostReasonRole});
}

void SandboxListModel::removeHost(const QString &host)
{
    for (int row = static_cast<int>(m_rows.size()) - 1; row >= 0; --row) {
        if (m_rows.at(row).host == host)
            removeRow(row);
    }
    m_hosts.remove(host);
}

QModelIndex SandboxListModel::indexOf(const SandboxKey &key) const
{
    const auto it = m_index.constFind(key);
    return it == m_index.cend() ? QModelIndex() : index(*it);
}

const Sandbox *SandboxListModel::sandbox(const SandboxKey &key) const
{
    const auto it = m_index.constFind(key);
    return it == m_index.cend() ? nullptr : &m_rows.at(*it).sandbox;
}

SandboxKey SandboxListModel::keyAt(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return {};
    return SandboxKey{m_rows.at(row).host, m_rows.at(row).sandbox.id};
}

bool SandboxListModel::isHostUp(const QString &host) const
{
    return m_hosts.value(host).up;
}

QString SandboxListModel::hostReason(const QString &host) const
{
    return m_hosts.value(host).reason;
}
