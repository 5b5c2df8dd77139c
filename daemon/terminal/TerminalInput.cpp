#include "terminal/TerminalInput.h"

#include <QJsonArray>

namespace {

struct NamedKey
{
    const char *name;
    const char *tmux;
};

// The keys a reply box and a phone key bar need; names are matched without case.
constexpr NamedKey NamedKeys[] = {
    {"Esc", "Escape"},       {"Escape", "Escape"},  {"Enter", "Enter"},
    {"Tab", "Tab"},          {"Shift+Tab", "BTab"}, {"BTab", "BTab"},
    {"Ctrl+C", "C-c"},       {"C-c", "C-c"},        {"Ctrl+D", "C-d"},
    {"C-d", "C-d"},          {"Ctrl+L", "C-l"},     {"C-l", "C-l"},
    {"Ctrl+R", "C-r"},       {"C-r", "C-r"},        {"Ctrl+Z", "C-z"},
    {"C-z", "C-z"},          {"Up", "Up"},          {"Down", "Down"},
    {"Left", "Left"},        {"Right", "Right"},    {"Home", "Home"},
    {"End", "End"},          {"PageUp", "PPage"},   {"PageDown", "NPage"},
    {"Backspace", "BSpace"}, {"BSpace", "BSpace"},  {"Delete", "DC"},
    {"Space", "Space"},
};

} // namespace

std::optional<TerminalInput::Key> TerminalInput::parseKey(const QString &name)
{
    for (const NamedKey &key : NamedKeys) {
        if (name.compare(QLatin1String(key.name), Qt::CaseInsensitive) == 0)
            return Key{QString::fromLatin1(key.tmux), {}};
    }
    // One printable character (a digit answering a numbered prompt, y, n…).
    const QList<uint> chars = name.toUcs4();
    if (chars.size() == 1 && QChar::isPrint(chars.first()))
        return Key{{}, name.toUtf8()};
    return std::nullopt;
}

QStringList TerminalInput::keyNames()
{
    QStringList names;
    for (const NamedKey &key : NamedKeys)
        names.append(QString::fromLatin1(key.name));
    return names;
}

qsizetype TerminalInput::byteCount() const
{
    qsizetype bytes = text.toUtf8().size() + (enter ? 1 : 0);
    for (const Key &key : keys)
        bytes += key.literal.isEmpty() ? 1 : key.literal.size();
    return bytes;
}

QString TerminalInput::describeKeys() const
{
    QStringList names;
    for (const Key &key : keys)
        names.append(key.literal.isEmpty() ? u'<' + key.tmuxName + u'>'
                                           : QString::fromUtf8(key.literal));
    return names.join(QString());
}

QString TerminalInput::firstLine() const
{
    QString line = describeKeys();
    const qsizetype newline = text.indexOf(u'\n');
    line += newline < 0 ? text : text.left(newline);
    if (enter)
        line += QStringLiteral("<Enter>");
    return line;
}

Expected<TerminalInput, TerminalInput::Error> TerminalInput::fromJson(const QJsonObject &object)
{
    using Failure = Unexpected<Error>;
    static const QStringList known{QStringLiteral("type"), QStringLiteral("text"),
                                   QStringLiteral("enter"), QStringLiteral("keys"),
                                   QStringLiteral("force")};
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.contains(it.key()))
            return Failure{{it.key(), QStringLiteral("unknown field \"%1\"").arg(it.key())}};
    }
    TerminalInput input;
    const QJsonValue text = object.value(QStringLiteral("text"));
    if (!text.isUndefined() && !text.isNull()) {
        if (!text.isString())
            return Failure{{QStringLiteral("text"), QStringLiteral("text must be a string")}};
        input.text = text.toString();
        if (input.text.toUtf8().size() > MaxTextBytes)
            return Failure{{QStringLiteral("text"),
                            QStringLiteral("text is longer than %1 bytes").arg(MaxTextBytes)}};
    }
    const QJsonValue keys = object.value(QStringLiteral("keys"));
    if (!keys.isUndefined() && !keys.isNull()) {
        if (!keys.isArray())
            return Failure{
                {QStringLiteral("keys"), QStringLiteral("keys must be an array of key names")}};
        const QJsonArray array = keys.toArray();
        if (array.size() > MaxKeys)
            return Failure{
                {QStringLiteral("keys"), QStringLiteral("at most %1 keys at once").arg(MaxKeys)}};
        for (const QJsonValue &value : array) {
            const auto key = value.isString() ? parseKey(value.toString()) : std::nullopt;
            if (!key)
                return Failure{{QStringLiteral("keys"),
                                QStringLiteral("unknown key %1: use one character or one of %2")
                                    .arg(value.isString() ? u'"' + value.toString().left(40) + u'"'
                                                          : QStringLiteral("(not a string)"),
                                         keyNames().join(QStringLiteral(", ")))}};
            input.keys.append(*key);
        }
    }
    const QJsonValue enter = object.value(QStringLiteral("enter"));
    if (!enter.isUndefined() && !enter.isNull() && !enter.isBool())
        return Failure{{QStringLiteral("enter"), QStringLiteral("enter must be true or false")}};
    input.enter = enter.isBool() ? enter.toBool() : !input.text.isEmpty();
    const QJsonValue force = object.value(QStringLiteral("force"));
    if (!force.isUndefined() && !force.isBool())
        return Failure{{QStringLiteral("force"), QStringLiteral("force must be true or false")}};
    input.force = force.toBool();
    if (input.text.isEmpty() && input.keys.isEmpty() && !input.enter)
        return Failure{
            {QStringLiteral("text"), QStringLiteral("nothing to send: give text, keys or enter")}};
    return input;
}
