#pragma once

#include <QJsonObject>
#include <QString>
#include <QWidget>

class ApiClient;
class QLabel;
class QLineEdit;
class QPushButton;

// Answers an agent without taking control of its terminal: a line sent as a bracketed
// paste followed by Enter, and buttons for the common prompts (1, 2, 3, Esc, Enter) and
// the keys a TUI needs (Tab, Shift+Tab, Ctrl+C, arrows). POST /api/sandboxes/<id>/input.
class ReplyBox : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReplyBox)

public:
    explicit ReplyBox(QWidget *parent = nullptr);

    // The client and sandbox replies go to; a null client disables the box.
    void setTarget(ApiClient *client, const QString &sandboxId);

    QLineEdit *lineEdit() const { return m_line; }
    QLabel *statusLabel() const { return m_status; }
    QPushButton *forceButton() const { return m_force; }
    QPushButton *keyButton(const QString &key) const;

    void sendText();
    void sendKey(const QString &key);

Q_SIGNALS:
    void sent();

private:
    void send(const QJsonObject &body, bool clearOnSuccess);

    ApiClient *m_client = nullptr;
    QString m_sandboxId;
    QLineEdit *m_line = nullptr;
    QPushButton *m_send = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_force = nullptr;
    QJsonObject m_pendingForced;
    bool m_pendingClear = false;
    QList<QPushButton *> m_keys;
};
