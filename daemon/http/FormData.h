#pragma once

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

// The fields of an application/x-www-form-urlencoded body, in order.
class FormData
{
public:
    static FormData parse(QByteArrayView body);

    bool contains(QStringView name) const;
    // The last value of a field (a hidden "false" followed by a checked box's "true"), or "".
    QString value(QStringView name) const;
    QStringList values(QStringView name) const;

private:
    QList<QPair<QString, QString>> m_fields;
};
