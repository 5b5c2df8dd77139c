#include "http/FormData.h"

#include <QByteArray>

namespace {

QString decode(QByteArrayView encoded)
{
    QByteArray bytes = encoded.toByteArray();
    bytes.replace('+', ' ');
    return QString::fromUtf8(QByteArray::fromPercentEncoding(bytes));
}

} // namespace

FormData FormData::parse(QByteArrayView body)
{
    FormData form;
    const QList<QByteArray> pairs = body.toByteArray().split('&');
    for (const QByteArray &pair : pairs) {
        if (pair.isEmpty())
            continue;
        const qsizetype equals = pair.indexOf('=');
        if (equals < 0)
            form.m_fields.append({decode(pair), QString()});
        else
            form.m_fields.append({decode(pair.first(equals)), decode(pair.sliced(equals + 1))});
    }
    return form;
}

bool FormData::contains(QStringView name) const
{
    for (const auto &[key, value] : m_fields) {
        if (key == name)
            return true;
    }
    return false;
}

QString FormData::value(QStringView name) const
{
    for (auto it = m_fields.crbegin(); it != m_fields.crend(); ++it) {
        if (it->first == name)
            return it->second;
    }
    return {};
}

QStringList FormData::values(QStringView name) const
{
    QStringList out;
    for (const auto &[key, value] : m_fields) {
        if (key == name)
            out.append(value);
    }
    return out;
}
