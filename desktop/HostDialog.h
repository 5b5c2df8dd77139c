#pragma once

#include <QDialog>
#include <QStringList>

#include "HostSettings.h"

class QLabel;
class QLineEdit;
class QRadioButton;
class QSpinBox;

// Adds or edits a host: a name and either an SSH destination (with extra ssh options and the
// daemon's port on that host) or a direct URL.
class HostDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HostDialog)

public:
    // takenNames: names of the other hosts, which this one may not reuse.
    HostDialog(const HostSettings &initial, QStringList takenNames, QWidget *parent = nullptr);

    HostSettings settings() const;
    void accept() override;

private:
    void updateMode();

    QStringList m_taken;
    QLineEdit *m_name;
    QRadioButton *m_ssh;
    QRadioButton *m_direct;
    QLineEdit *m_destination;
    QLineEdit *m_options;
    QSpinBox *m_port;
    QLineEdit *m_socket;
    QLineEdit *m_url;
    QLineEdit *m_token;
    QLabel *m_error;
};
