#pragma once

#include <memory>

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>
#include <QVariant>

#include "shared/Expected.h"

// HTML templates in a subset of Mustache, parsed once into node trees:
//   {{name}} {{a.b}} {{.}}   a value, always HTML-escaped (there is no unescaped form)
//   {{#name}}…{{/name}}      repeated per list item, or once for a map or a truthy value
//   {{^name}}…{{/name}}      once when the value is missing, false, 0, "" or an empty list
//   {{>name}}                another template, rendered in the current context
//   {{! comment}}
// Values are a QVariant tree of QVariantMap, QVariantList, QString, numbers and bool.
// Parsing also follows the HTML around each tag and refuses values where escaping is not
// enough: outside quoted attribute values in a tag, in comments, <script> and <style>, in
// on* and style attributes, and at the start of a URL attribute (javascript: links).
class TemplateEngine
{
public:
    // Parses every template; names are paths without ".html" (e.g. "fragments/sandbox_list").
    static Expected<TemplateEngine, QString> fromSources(const QHash<QString, QByteArray> &sources);
    // Every *.html file below directory (a folder or a ":/" resource path).
    static Expected<TemplateEngine, QString> fromDirectory(const QString &directory);

    bool contains(const QString &name) const;
    QStringList names() const;
    // An unknown name renders nothing; callers check names once at startup with contains().
    QByteArray render(const QString &name, const QVariant &context) const;

    static void appendEscaped(QByteArray &out, QByteArrayView utf8);
    static QByteArray escaped(const QString &text);

    struct Node;
    struct Data;

private:
    explicit TemplateEngine(std::shared_ptr<const Data> data);

    std::shared_ptr<const Data> m_data;
};
