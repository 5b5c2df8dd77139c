#include "CreateSandboxDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardItemModel>

#include "HostManager.h"

CreateSandboxDialog::CreateSandboxDialog(HostManager &hosts, const QString &preferredHost,
                                         QWidget *parent)
    : QDialog(parent)
    , m_hosts(hosts)
    , m_host(new QComboBox(this))
    , m_name(new QLineEdit(this))
    , m_backend(new QComboBox(this))
    , m_projectDir(new QLineEdit(this))
    , m_network(new QCheckBox(tr("Allow network access"), this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("New sandbox"));
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Create"));
    m_name->setPlaceholderText(tr("my-project"));
    m_projectDir->setPlaceholderText(tr("/home/user/project (on the host)"));
    m_network->setChecked(true);

    for (HostConnection *host : m_hosts.connections()) {
        m_host->addItem(host->name());
        if (!host->isUp()) {
            auto *items = qobject_cast<QStandardItemModel *>(m_host->model());
            items->item(m_host->count() - 1)->setEnabled(false);
            m_host->setItemData(m_host->count() - 1, host->summary(), Qt::ToolTipRole);
        }
    }
    const int preferred = m_host->findText(preferredHost);
    if (preferred >= 0 && m_hosts.connection(preferredHost)->isUp())
        m_host->setCurrentIndex(preferred);

    auto *form = new QFormLayout;
    const auto addField = [&](const QString &label, QWidget *field, const QString &key) {
        form->addRow(label, field);
        QLabel *error = errorLabel();
        form->addRow(QString(), error);
        m_errors.insert(key, error);
    };
    addField(tr("Host"), m_host, QStringLiteral("host"));
    addField(tr("Name"), m_name, QStringLiteral("name"));
    addField(tr("Backend"), m_backend, QStringLiteral("backend"));
    addField(tr("Project directory"), m_projectDir, QStringLiteral("project_dir"));
    addField(QString(), m_network, QStringLiteral("network"));
    QLabel *general = errorLabel();
    m_errors.insert(QString(), general);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(general);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &CreateSandboxDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &CreateSandboxDialog::reject);
    connect(m_host, &QComboBox::currentIndexChanged, this, &CreateSandboxDialog::fillBackends);
    connect(&m_hosts, &HostManager::backendsUpdated, this, [this](const QString &name) {
        if (name == m_host->currentText())
            fillBackends();
    });
    fillBackends();
    clearErrors();
    resize(520, sizeHint().height());
}

QLabel *CreateSandboxDialog::errorLabel()
{
    auto *label = new QLabel(this);
    label->setWordWrap(true);
    label->setStyleSheet(QStringLiteral("color: #c62828"));
    label->hide();
    return label;
}

QString CreateSandboxDialog::errorText(const QString &field) const
{
    const QLabel *label = m_errors.value(field);
    return label && !label->isHidden() ? label->text() : QString();
}

void CreateSandboxDialog::fillBackends()
{
    const QString previous = m_backend->currentData().toString();
    m_backend->clear();
    HostConnection *host = m_hosts.connection(m_host->currentText());
    if (!host)
        return;
    auto *items = qobject_cast<QStandardItemModel *>(m_backend->model());
    for (const BackendInfo &backend : host->backends()) {
        QString label = backend.name;
        if (!backend.description.isEmpty())
            label += QStringLiteral(" — ") + backend.description;
        if (!backend.available)
            label += tr(" (not installed)");
        m_backend->addItem(label, backend.name);
        items->item(m_backend->count() - 1)->setEnabled(backend.available);
    }
    const int again = m_backend->findData(previous);
    if (again >= 0)
        m_backend->setCurrentIndex(again);
}

void CreateSandboxDialog::clearErrors()
{
    for (QLabel *label : std::as_const(m_errors))
        label->hide();
}

void CreateSandboxDialog::showError(const QString &field, const QString &message)
{
    QLabel *label = m_errors.value(field, m_errors.value(QString()));
    label->setText(message);
    label->show();
    if (field == u"name")
        m_name->setFocus();
    else if (field == u"project_dir")
        m_projectDir->setFocus();
    else if (field == u"backend")
        m_backend->setFocus();
}

void CreateSandboxDialog::accept()
{
    if (m_busy)
        return;
    clearErrors();
    HostConnection *host = m_hosts.connection(m_host->currentText());
    if (!host || !host->isUp()) {
        showError(QStringLiteral("host"), tr("Choose a connected host"));
        return;
    }
    CreateRequest request;
    request.name = m_name->text().trimmed();
    // An unknown backend is the daemon's to refuse, with its own words.
    request.backend = m_backend->currentData().toString();
    request.projectDir = m_projectDir->text().trimmed();
    request.network = m_network->isChecked();

    m_busy = true;
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Creating…"));
    const QString hostName = host->name();
    host->api().createSandbox(request, this, [this, hostName](ApiResult<Sandbox> result) {
        m_busy = false;
        m_buttons->button(QDialogButtonBox::Ok)->setEnabled(true);
        m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Create"));
        if (!result) {
            const ApiFailure &failure = result.error();
            showError(failure.field, failure.kind == ApiFailure::Kind::Http ? failure.message
                                                                            : failure.toString());
            return;
        }
        if (HostConnection *created = m_hosts.connection(hostName))
            created->pollNow();
        Q_EMIT this->created(SandboxKey{hostName, result->id});
        QDialog::accept();
    });
}
