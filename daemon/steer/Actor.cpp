#include "steer/Actor.h"

QJsonObject Actor::toJson() const
{
    QJsonObject object{{QStringLiteral("client"), client},
                       {QStringLiteral("peer"), peer},
                       {QStringLiteral("description"), description}};
    if (!session.isEmpty())
        object.insert(QStringLiteral("session"), session);
    return object;
}
