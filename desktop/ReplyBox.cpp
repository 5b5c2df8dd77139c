#include "ReplyBox.h"

#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QVBoxLayout>

#include "shared/ApiClient.h"

namespace {

struct KeyButton
{
    const char *key;   // the API's key name
    const char *label; // what the button says
    const char *tip;
};

constexpr KeyButton Keys[] = {
    {"1", "1", "Choose 1 (e.g. \"Yes\")"},
    {"2", "2", "Choose 2"},
    {"3", "3", "Choose 3"},
    {"Esc", "Esc", "Press Esc: cancel, or tell the agent what to do differently"},
    {"Enter", "Enter", "Press Enter"},
    {"Tab", "Tab", "Press Tab"},
    {"Shift+Tab", "⇧Tab", "Press Shift+Tab (Claude Code: switch mode)"},
    {"Ctrl+C", "^C", "Press Ctrl+C"},
    {"Up", "↑", "Press Up"},
    {"Down", "↓", "Press Down"},
    {"Left", "←", "Press Left"},
    {"Right", "→", "Press Right"},
};

} // namespace

ReplyBox::ReplyBox(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *row = new QHBoxLayout;
    m_line = new QLineEdit(this);
    m_line->setPlaceholderText(tr("Reply to the agent…"));
    m_line->setAccessibleName(tr("Reply"));
    m_line->setMaxLength(16000);
    m_send = new QPushButton(tr("Send"), this);
    m_send->setToolTip(tr("Paste the reply into the agent's terminal, then press Enter"));
    row->addWidget(m_line, 1);
    row->addWidget(m_send);
    layout->addLayout(row);
    auto *keys = new QHBoxLayout;
    for (const KeyButton &key : Keys) {
        auto *button = new QPushButton(QString::fromUtf8(key.label), this);
        button->setObjectName(QStringLiteral("key-") + QString::fromLatin1(key.key));
        button->setToolTip(tr(key.tip));
        button->setAccessibleName(QString::fromLatin1(key.key));
        button->setAutoDefault(false);
        const QString name = QString::fromLatin1(key.key);
        connect(button, &QPushButton::clicked, this, [this, name] { sendKey(name); });
        keys->addWidget(button);
        m_keys.append(button);
    }
    keys->addStretch(1);
    layout->addLayout(keys);
    auto *statusRow = new QHBoxLayout;
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_force = new QPushButton(tr("Send anyway"), this);
    m_force->setToolTip(tr("Type into the terminal although someone else has control of it"));
    m_force->hide();
    connect(m_force, &QPushButton::clicked, this,
            [this] { send(m_pendingForced, m_pendingClear); });
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_force);
    layout->addLayout(statusRow);
    connect(m_send, &QPushButton::clicked, this, &ReplyBox::sendText);
    connect(m_line, &QLineEdit::returnPressed, this, &ReplyBox::sendText);
    setTarget(nullptr, {});
}

void ReplyBox::setTarget(ApiClient *client, const QString &sandboxId)
{
    m_client = client;
    m_sandboxId = sandboxId;
    setEnabled(client && !sandboxId.isEmpty());
}

QPushButton *ReplyBox::keyButton(const QString &key) const
{
    for (QPushButton *button : m_keys) {
        if (button->accessibleName() == key)
            return button;
    }
    return nullptr;
}

void ReplyBox::sendText()
{
    if (m_line->text().isEmpty())
        return;
    send(QJsonObject{{QStringLiteral("text"), m_line->text()}, {QStringLiteral("enter"), true}},
         true);
}

void ReplyBox::sendKey(const QString &key)
{
    send(QJsonObject{{QStringLiteral("keys"), QJsonArray{key}}}, false);
}

void ReplyBox::send(const QJsonObject &body, bool clearOnSuccess)
{
    if (!m_client)
        return;
    m_force->hide();
    m_status->setText(tr("Sending…"));
    QPointer<ReplyBox> self(this);
    m_client->sendInput(m_sandboxId, body, this,
                        [this, self, body, clearOnSuccess](std::optional<ApiFailure> failure) {
                            if (!self)
                                return;
                            if (!failure) {
                                m_status->setText(tr("Sent."));
                                if (clearOnSuccess)
                                    m_line->clear();
                                Q_EMIT sent();
                                return;
                            }
                            // 409 naming "force": someone holds control; offer to send anyway.
                            if (failure->httpStatus == 409 && failure->field == u"force" &&
                                !body.contains(QStringLiteral("force"))) {
                                QJsonObject forced = body;
                                forced.insert(QStringLiteral("force"), true);
                                m_pendingForced = forced;
                                m_pendingClear = clearOnSuccess;
                                m_force->show();
                                m_status->setText(tr("Not sent: %1").arg(failure->message));
                                return;
                            }
                            m_status->setText(tr("Not sent: %1").arg(failure->message));
                        });
}
