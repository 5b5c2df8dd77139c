#include "HostSettings.h"

#include <utility>

std::optional<QStringList> HostSettings::splitShellWords(const QString &text)
{
    QStringList words;
    QString word;
    bool inWord = false;
    QChar quote;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quote == u'\'') {
            if (c == u'\'')
                quote = QChar();
            else
                word += c;
            continue;
        }
        if (c == u'\\' && quote != u'\'') {
            if (++i >= text.size())
                return std::nullopt;
            word += text.at(i);
            inWord = true;
            continue;
        }
        if (quote == u'"') {
            if (c == u'"')
                quote = QChar();
            else
                word += c;
            continue;
        }
        if (c == u'\'' || c == u'"') {
            quote = c;
            inWord = true;
            continue;
        }
        if (c.isSpace()) {
            if (inWord)
                words.append(std::exchange(word, {}));
            inWord = false;
            continue;
        }
        word += c;
        inWord = true;
    }
    if (!quote.isNull())
        return std::nullopt;
    if (inWord)
        words.append(word);
    return words;
}

QStringList HostSettings::sshOptionList() const
{
    return splitShellWords(sshOptions).value_or(QStringList());
}

QString HostSettings::validationError() const
{
    if (name.trimmed().isEmpty())
        return QStringLiteral("a host needs a name");
    if (isDirect()) {
        if (!directUrl.isValid() || directUrl.host().isEmpty())
            return QStringLiteral("give an SSH destination or a URL");
        if (directUrl.scheme() != u"http" && directUrl.scheme() != u"https")
            return QStringLiteral("the URL must start with http:// or https://");
        return {};
    }
    if (sshDestination.startsWith(u'-'))
        return QStringLiteral("the SSH destination cannot start with '-'");
    if (sshDestination.contains(u' '))
        return QStringLiteral("the SSH destination cannot contain spaces");
    if (remotePort == 0)
        return QStringLiteral("the remote port must be from 1 to 65535");
    if (!remoteSocket.isEmpty()) {
        // ssh reads "-L port:/path": a colon or a space would split the path.
        if (!remoteSocket.startsWith(u'/'))
            return QStringLiteral("the remote socket must be an absolute path");
        if (remoteSocket.contains(u':') || remoteSocket.contains(u' '))
            return QStringLiteral("the remote socket path cannot contain ':' or spaces");
        if (remoteSocket.toUtf8().size() > MaxSocketPathBytes)
            return QStringLiteral("the remote socket path is longer than %1 bytes")
                .arg(MaxSocketPathBytes);
    }
    if (!splitShellWords(sshOptions))
        return QStringLiteral("the ssh options have an unbalanced quote");
    return {};
}
