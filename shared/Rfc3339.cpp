#include "shared/Rfc3339.h"

#include <QRegularExpression>
#include <QTimeZone>

namespace Rfc3339 {

std::optional<QDateTime> parse(QStringView text)
{
    static const QRegularExpression pattern(
        QStringLiteral(R"(^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,12}))?)"
                       R"((?:([Zz])|([+-])(\d{2}):(\d{2}))$)"));
    const auto match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    const auto number = [&](int group) { return match.capturedView(group).toInt(); };
    const QDate date(number(1), number(2), number(3));
    int second = number(6);
    if (second == 60) // leap second: RFC 3339 allows it, QTime does not
        second = 59;
    int msec = 0;
    if (match.hasCaptured(7)) {
        const QString fraction = QString(match.captured(7) + QStringLiteral("00")).left(3);
        msec = fraction.toInt();
    }
    const QTime time(number(4), number(5), second, msec);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    int offsetSeconds = 0;
    if (!match.hasCaptured(8)) {
        const int hours = number(10);
        const int minutes = number(11);
        if (hours > 23 || minutes > 59)
            return std::nullopt;
        offsetSeconds = (hours * 60 + minutes) * 60;
        if (match.capturedView(9) == u"-")
            offsetSeconds = -offsetSeconds;
    }
    QDateTime result(date, time, QTimeZone(offsetSeconds));
    if (!result.isValid())
        return std::nullopt;
    return result.toUTC();
}

QString format(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

} // namespace Rfc3339
