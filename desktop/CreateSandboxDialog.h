#pragma once

#include <QDialog>
#include <QHash>

#include "SandboxKey.h"

class HostManager;
class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

// Creates a sandbox on one host: name, backend from that host's list, project directory,
// network. The daemon's validation errors are shown under the field they concern.
class CreateSandboxDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CreateSandboxDialog)

public:
    CreateSandboxDialog(HostManager &hosts, const QString &preferredHost,
                        QWidget *parent = nullptr);

    QComboBox *hostBox() const { return m_host; }
    QLineEdit *nameEdit() const { return m_name; }
    QComboBox *backendBox() const { return m_backend; }
    QLineEdit *projectDirEdit() const { return m_projectDir; }
    QCheckBox *networkBox() const { return m_network; }
    // The error shown under a field ("name", "backend", "project_dir", "network"), or the
    // dialog-wide one for an empty field name.
    QString errorText(const QString &field) const;

    void accept() override;

Q_SIGNALS:
    void created(const SandboxKey &key);

private:
    void fillBackends();
    void clearErrors();
    void showError(const QString &field, const QString &message);
    QLabel *errorLabel();

    HostManager &m_hosts;
    QComboBox *m_host;
    QLineEdit *m_name;
    QComboBox *m_backend;
    QLineEdit *m_projectDir;
    QCheckBox *m_network;
    QDialogButtonBox *m_buttons;
    QHash<QString, QLabel *> m_errors;
    bool m_busy = false;
};
