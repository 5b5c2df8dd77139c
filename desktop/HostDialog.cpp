#include "HostDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>

HostDialog::HostDialog(const HostSettings &initial, QStringList takenNames, QWidget *parent)
    : QDialog(parent)
    , m_taken(std::move(takenNames))
    , m_name(new QLineEdit(initial.name, this))
    , m_ssh(new QRadioButton(tr("Through SSH (the viewer opens the tunnel)"), this))
    , m_direct(new QRadioButton(tr("Directly by URL (a daemon on this machine)"), this))
    , m_destination(new QLineEdit(initial.sshDestination, this))
    , m_options(new QLineEdit(initial.sshOptions, this))
    , m_port(new QSpinBox(this))
    , m_socket(new QLineEdit(initial.remoteSocket, this))
    , m_url(new QLineEdit(initial.directUrl.toString(), this))
    , m_token(new QLineEdit(initial.token, this))
    , m_error(new QLabel(this))
{
    setWindowTitle(initial.name.isEmpty() ? tr("Add host") : tr("Edit host %1").arg(initial.name));
    m_name->setPlaceholderText(tr("build-server"));
    m_destination->setPlaceholderText(tr("user@server, or a Host from ~/.ssh/config"));
    m_options->setPlaceholderText(tr("-p 2222 -i ~/.ssh/work_key"));
    m_port->setRange(1, 65535);
    m_port->setValue(initial.remotePort);
    m_socket->setPlaceholderText(tr("/run/claude-manager/http.sock, for MANAGER_LISTEN=unix:"));
    m_socket->setToolTip(tr("The daemon's Unix socket on the host; forwarded instead of the port "
                            "when given"));
    m_url->setPlaceholderText(QStringLiteral("http://127.0.0.1:3000"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("only if the daemon asks for one"));
    m_error->setStyleSheet(QStringLiteral("color: #c62828"));
    m_error->setWordWrap(true);
    m_error->hide();
    (initial.isDirect() && !initial.directUrl.isEmpty() ? m_direct : m_ssh)->setChecked(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Name"), m_name);
    form->addRow(m_ssh);
    form->addRow(tr("SSH destination"), m_destination);
    form->addRow(tr("Extra ssh options"), m_options);
    form->addRow(tr("Daemon port on the host"), m_port);
    form->addRow(tr("or its Unix socket"), m_socket);
    form->addRow(m_direct);
    form->addRow(tr("URL"), m_url);
    form->addRow(tr("Token"), m_token);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &HostDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &HostDialog::reject);
    connect(m_ssh, &QRadioButton::toggled, this, &HostDialog::updateMode);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    updateMode();
    resize(560, sizeHint().height());
}

void HostDialog::updateMode()
{
    const bool ssh = m_ssh->isChecked();
    m_destination->setEnabled(ssh);
    m_options->setEnabled(ssh);
    m_port->setEnabled(ssh);
    m_socket->setEnabled(ssh);
    m_url->setEnabled(!ssh);
}

HostSettings HostDialog::settings() const
{
    HostSettings settings;
    settings.name = m_name->text().trimmed();
    settings.token = m_token->text().trimmed();
    if (m_ssh->isChecked()) {
        settings.sshDestination = m_destination->text().trimmed();
        settings.sshOptions = m_options->text().trimmed();
        settings.remotePort = static_cast<quint16>(m_port->value());
        settings.remoteSocket = m_socket->text().trimmed();
    } else {
        settings.directUrl = QUrl::fromUserInput(m_url->text().trimmed());
    }
    return settings;
}

void HostDialog::accept()
{
    const HostSettings candidate = settings();
    QString error = candidate.validationError();
    if (error.isEmpty() && m_ssh->isChecked() && candidate.sshDestination.isEmpty())
        error = tr("give the SSH destination");
    if (error.isEmpty() && m_taken.contains(candidate.name))
        error = tr("there is already a host named %1").arg(candidate.name);
    if (!error.isEmpty()) {
        m_error->setText(error);
        m_error->show();
        return;
    }
    QDialog::accept();
}
