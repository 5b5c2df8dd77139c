#include "web/TemplateEngine.h"

#include <vector>

#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QVarLengthArray>

struct TemplateEngine::Node
{
    enum class Kind
    {
        Text,
        Value,
        Section,
        Inverted,
        Partial
    };
    Kind kind = Kind::Text;
    QByteArray text;  // Text
    QStringList path; // Value, Section, Inverted: the dotted name split; empty for "."
    std::vector<Node> children;
    QString partialName;
    int partial = -1; // index of the partial's template, linked after parsing
};

struct TemplateEngine::Data
{
    QHash<QString, int> index;
    std::vector<std::vector<Node>> templates;
};

namespace {

using Node = TemplateEngine::Node;

// Follows the HTML tokenizer far enough to know what a tag lands in: text, a quoted
// attribute value (and which attribute), inside a tag, a comment or <script>/<style>.
class HtmlTracker
{
public:
    enum class State
    {
        Text,
        TagOpen,
        MarkupDeclaration,
        TagName,
        EndTagOpen,
        EndTagName,
        InTag,
        AttributeName,
        AfterAttributeName,
        BeforeAttributeValue,
        DoubleQuoted,
        SingleQuoted,
        Unquoted,
        Comment,
        Bogus,
        RawText
    };

    // What a section must end in to be balanced: the same state class and attribute.
    struct Context
    {
        State state;
        QByteArray attribute;
        friend bool operator==(const Context &, const Context &) = default;
    };

    void feed(QByteArrayView text)
    {
        for (const char c : text)
            step(c);
    }

    void valueWritten() { ++m_valueLength; }
    bool inText() const { return m_state == State::Text; }

    Context context() const
    {
        switch (m_state) {
        case State::InTag:
        case State::AttributeName:
        case State::AfterAttributeName:
            return {State::InTag, {}};
        case State::DoubleQuoted:
        case State::SingleQuoted:
            return {m_state, m_attribute};
        default:
            return {m_state, {}};
        }
    }

    // Why an escaped value may not be written here; empty when it may.
    QString valueProblem() const
    {
        static const QList<QByteArray> urlAttributes{
            "href", "src",    "action",  "formaction", "poster",   "srcset",    "cite",
            "data", "hx-get", "hx-post", "hx-put",     "hx-patch", "hx-delete", "ping"};
        switch (m_state) {
        case State::Text:
            return {};
        case State::DoubleQuoted:
        case State::SingleQuoted:
            if (m_attribute.startsWith("on"))
                return QStringLiteral("a value in the event handler attribute %1")
                    .arg(QString::fromLatin1(m_attribute));
            if (m_attribute == "style")
                return QStringLiteral("a value in a style attribute");
            if (m_valueLength == 0 && urlAttributes.contains(m_attribute))
                return QStringLiteral("a value at the start of the URL attribute %1 "
                                      "(write the URL's fixed beginning in the template)")
                    .arg(QString::fromLatin1(m_attribute));
            return {};
        case State::Comment:
            return QStringLiteral("a value inside an HTML comment");
        case State::RawText:
            return QStringLiteral("a value inside <%1>").arg(QString::fromLatin1(m_rawTag));
        default:
            return QStringLiteral("a value inside a tag but outside a quoted attribute value");
        }
    }

private:
    static bool isSpace(char c)
    {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
    }
    static bool isLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
    static char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

    void endStartTag()
    {
        if (m_tag == "script" || m_tag == "style") {
            m_rawTag = m_tag;
            m_rawMatched = 0;
            m_state = State::RawText;
        } else {
            m_state = State::Text;
        }
    }

    void step(char c)
    {
        switch (m_state) {
        case State::Text:
            if (c == '<')
                m_state = State::TagOpen;
            return;
        case State::TagOpen:
            if (isLetter(c)) {
                m_tag = QByteArray(1, lower(c));
                m_state = State::TagName;
            } else if (c == '/') {
                m_state = State::EndTagOpen;
            } else if (c == '!') {
                m_markup.clear();
                m_state = State::MarkupDeclaration;
            } else if (c == '?') {
                m_state = State::Bogus;
            } else {
                m_state = State::Text;
                step(c);
            }
            return;
        case State::MarkupDeclaration:
            m_markup += c;
            if (m_markup == "--") {
                m_commentTail.clear();
                m_state = State::Comment;
            } else if (m_markup != "-") {
                m_state = State::Bogus;
                step(c);
            }
            return;
        case State::EndTagOpen:
            m_state = isLetter(c) ? State::EndTagName : State::Bogus;
            if (c == '>')
                m_state = State::Text;
            return;
        case State::EndTagName:
        case State::Bogus:
            if (c == '>')
                m_state = State::Text;
            return;
        case State::TagName:
            if (isSpace(c) || c == '/')
                m_state = State::InTag;
            else if (c == '>')
                endStartTag();
            else
                m_tag += lower(c);
            return;
        case State::InTag:
            if (c == '>')
                endStartTag();
            else if (!isSpace(c) && c != '/')
                startAttribute(c);
            return;
        case State::AttributeName:
            if (isSpace(c))
                m_state = State::AfterAttributeName;
            else if (c == '=')
                m_state = State::BeforeAttributeValue;
            else if (c == '>')
                endStartTag();
            else if (c == '/')
                m_state = State::InTag;
            else
                m_attribute += lower(c);
            return;
        case State::AfterAttributeName:
            if (c == '=')
                m_state = State::BeforeAttributeValue;
            else if (c == '>')
                endStartTag();
            else if (c == '/')
                m_state = State::InTag;
            else if (!isSpace(c))
                startAttribute(c);
            return;
        case State::BeforeAttributeValue:
            m_valueLength = 0;
            if (c == '"')
                m_state = State::DoubleQuoted;
            else if (c == '\'')
                m_state = State::SingleQuoted;
            else if (c == '>')
                endStartTag();
            else if (!isSpace(c))
                m_state = State::Unquoted;
            return;
        case State::DoubleQuoted:
        case State::SingleQuoted:
            if (c == (m_state == State::DoubleQuoted ? '"' : '\''))
                m_state = State::InTag;
            else
                ++m_valueLength;
            return;
        case State::Unquoted:
            if (isSpace(c))
                m_state = State::InTag;
            else if (c == '>')
                endStartTag();
            return;
        case State::Comment:
            m_commentTail += c;
            if (m_commentTail.size() > 3)
                m_commentTail.remove(0, m_commentTail.size() - 3);
            if (m_commentTail == "-->")
                m_state = State::Text;
            return;
        case State::RawText: {
            const QByteArray closer = "</" + m_rawTag;
            if (lower(c) == closer.at(m_rawMatched)) {
                if (++m_rawMatched == closer.size())
                    m_state = State::EndTagName;
            } else {
                m_rawMatched = lower(c) == '<' ? 1 : 0;
            }
            return;
        }
        }
    }

    void startAttribute(char c)
    {
        m_attribute = QByteArray(1, lower(c));
        m_valueLength = 0;
        m_state = State::AttributeName;
    }

    State m_state = State::Text;
    QByteArray m_tag;
    QByteArray m_attribute;
    QByteArray m_markup;
    QByteArray m_commentTail;
    QByteArray m_rawTag;
    int m_rawMatched = 0;
    int m_valueLength = 0;
};

int lineAt(const QByteArray &source, qsizetype position)
{
    return int(QByteArrayView(source).first(position).count('\n')) + 1;
}

QString fail(const QString &name, const QByteArray &source, qsizetype position, const QString &why)
{
    return QStringLiteral("template %1, line %2: %3")
        .arg(name)
        .arg(lineAt(source, position))
        .arg(why);
}

Expected<std::vector<Node>, QString> parse(const QString &name, const QByteArray &source)
{
    static const QRegularExpression valueName(
        QStringLiteral("^(\\.|[A-Za-z_][A-Za-z0-9_-]*(\\.[A-Za-z_][A-Za-z0-9_-]*)*)$"));
    static const QRegularExpression partialName(
        QStringLiteral("^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$"));

    struct Open
    {
        Node node;
        QString name;
        HtmlTracker::Context context;
        qsizetype position;
    };
    std::vector<Node> root;
    std::vector<Open> open;
    HtmlTracker html;
    const auto children = [&]() -> std::vector<Node> & {
        return open.empty() ? root : open.back().node.children;
    };
    const auto appendText = [&](QByteArrayView text) {
        if (text.isEmpty())
            return;
        html.feed(text);
        std::vector<Node> &list = children();
        if (!list.empty() && list.back().kind == Node::Kind::Text) {
            list.back().text.append(text);
            return;
        }
        Node node;
        node.text = text.toByteArray();
        list.push_back(std::move(node));
    };

    qsizetype position = 0;
    while (position < source.size()) {
        const qsizetype start = source.indexOf("{{", position);
        if (start < 0) {
            appendText(QByteArrayView(source).sliced(position));
            break;
        }
        appendText(QByteArrayView(source).sliced(position, start - position));
        if (source.mid(start + 2, 1) == "{")
            return fail(name, source, start,
                        QStringLiteral("triple braces (unescaped output) are not supported"));
        const qsizetype end = source.indexOf("}}", start + 2);
        if (end < 0)
            return fail(name, source, start, QStringLiteral("a tag is not closed with }}"));
        position = end + 2;
        const QString tag = QString::fromUtf8(source.mid(start + 2, end - start - 2)).trimmed();
        if (tag.isEmpty())
            return fail(name, source, start, QStringLiteral("an empty tag"));
        const QChar sigil = tag.front();
        if (sigil == u'!' || sigil == u'#' || sigil == u'^' || sigil == u'/' || sigil == u'>') {
            // Mustache's standalone rule: a line holding only this tag leaves no trace.
            qsizetype lineStart = start;
            while (lineStart > 0 && (source[lineStart - 1] == ' ' || source[lineStart - 1] == '\t'))
                --lineStart;
            qsizetype after = end + 2;
            while (after < source.size() &&
                   (source[after] == ' ' || source[after] == '\t' || source[after] == '\r'))
                ++after;
            if ((lineStart == 0 || source[lineStart - 1] == '\n') &&
                (after == source.size() || source[after] == '\n')) {
                std::vector<Node> &list = children();
                if (start > lineStart && !list.empty() && list.back().kind == Node::Kind::Text) {
                    list.back().text.chop(start - lineStart);
                    if (list.back().text.isEmpty())
                        list.pop_back();
                }
                position = qMin(after + 1, source.size());
            }
        }
        if (sigil == u'!')
            continue;
        if (sigil == u'&' || sigil == u'=' || sigil == u'{')
            return fail(
                name, source, start,
                QStringLiteral("{{%1…}} is not supported (no unescaped output, no delimiter "
                               "changes)")
                    .arg(sigil));
        const bool hasSigil = sigil == u'#' || sigil == u'^' || sigil == u'/' || sigil == u'>';
        const QString tagName = hasSigil ? tag.mid(1).trimmed() : tag;

        if (sigil == u'>') {
            if (!partialName.match(tagName).hasMatch())
                return fail(name, source, start,
                            QStringLiteral("bad partial name '%1'").arg(tagName));
            if (!html.inText())
                return fail(
                    name, source, start,
                    QStringLiteral("a partial may only be included in text, not inside a tag"));
            Node node;
            node.kind = Node::Kind::Partial;
            node.partialName = tagName;
            children().push_back(std::move(node));
            continue;
        }
        if (!valueName.match(tagName).hasMatch())
            return fail(name, source, start, QStringLiteral("bad name '%1'").arg(tagName));
        const QStringList path = tagName == u"." ? QStringList{} : tagName.split(u'.');

        if (sigil == u'#' || sigil == u'^') {
            Open section;
            section.node.kind = sigil == u'#' ? Node::Kind::Section : Node::Kind::Inverted;
            section.node.path = path;
            section.name = tagName;
            section.context = html.context();
            section.position = start;
            open.push_back(std::move(section));
            continue;
        }
        if (sigil == u'/') {
            if (open.empty())
                return fail(
                    name, source, start,
                    QStringLiteral("{{/%1}} closes a section that is not open").arg(tagName));
            if (open.back().name != tagName)
                return fail(
                    name, source, start,
                    QStringLiteral("{{/%1}} closes {{#%2}}").arg(tagName, open.back().name));
            if (!(open.back().context == html.context()))
                return fail(
                    name, source, start,
                    QStringLiteral("section %1 does not end in the HTML context it began in "
                                   "(an unclosed tag, quote or comment inside it)")
                        .arg(tagName));
            Node node = std::move(open.back().node);
            open.pop_back();
            children().push_back(std::move(node));
            continue;
        }
        if (const QString problem = html.valueProblem(); !problem.isEmpty())
            return fail(name, source, start, QStringLiteral("{{%1}}: %2").arg(tagName, problem));
        html.valueWritten();
        Node node;
        node.kind = Node::Kind::Value;
        node.path = path;
        children().push_back(std::move(node));
    }
    if (!open.empty())
        return fail(name, source, open.back().position,
                    QStringLiteral("section %1 is never closed").arg(open.back().name));
    if (!html.inText())
        return fail(name, source, source.size(),
                    QStringLiteral("the template ends inside a tag, comment or <script>"));
    return root;
}

// Links partial nodes to template indices; returns the name of a missing partial, if any.
QString link(std::vector<Node> &nodes, const QHash<QString, int> &index)
{
    for (Node &node : nodes) {
        if (node.kind == Node::Kind::Partial) {
            node.partial = index.value(node.partialName, -1);
            if (node.partial < 0)
                return node.partialName;
        }
        if (QString missing = link(node.children, index); !missing.isEmpty())
            return missing;
    }
    return {};
}

void collectPartials(const std::vector<Node> &nodes, QList<int> &out)
{
    for (const Node &node : nodes) {
        if (node.kind == Node::Kind::Partial)
            out.append(node.partial);
        collectPartials(node.children, out);
    }
}

bool hasCycle(int current, const std::vector<std::vector<Node>> &templates, QList<int> &path)
{
    if (path.contains(current))
        return true;
    path.append(current);
    QList<int> partials;
    collectPartials(templates[size_t(current)], partials);
    for (const int partial : partials) {
        if (hasCycle(partial, templates, path))
            return true;
    }
    path.removeLast();
    return false;
}

bool truthy(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::UnknownType:
    case QMetaType::Nullptr:
        return false;
    case QMetaType::Bool:
        return value.toBool();
    case QMetaType::QString:
        return !static_cast<const QString *>(value.constData())->isEmpty();
    case QMetaType::QByteArray:
        return !static_cast<const QByteArray *>(value.constData())->isEmpty();
    case QMetaType::QVariantList:
        return !static_cast<const QVariantList *>(value.constData())->isEmpty();
    case QMetaType::QStringList:
        return !static_cast<const QStringList *>(value.constData())->isEmpty();
    case QMetaType::QVariantMap:
        return true;
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Double:
        return value.toDouble() != 0;
    default:
        return !value.isNull();
    }
}

const QVariantMap *asMap(const QVariant *value)
{
    return value && value->typeId() == QMetaType::QVariantMap
               ? static_cast<const QVariantMap *>(value->constData())
               : nullptr;
}

class Renderer
{
public:
    Renderer(const TemplateEngine::Data &data, QByteArray &out) : m_data(data), m_out(out) {}

    void render(const std::vector<Node> &nodes, const QVariant &context)
    {
        m_stack.append(&context);
        renderNodes(nodes);
        m_stack.removeLast();
    }

private:
    const QVariant *lookup(const QStringList &path) const
    {
        if (path.isEmpty())
            return m_stack.back();
        const QVariant *found = nullptr;
        for (qsizetype i = m_stack.size() - 1; i >= 0 && !found; --i) {
            if (const QVariantMap *map = asMap(m_stack[i])) {
                const auto it = map->constFind(path.front());
                if (it != map->cend())
                    found = &*it;
            }
        }
        for (qsizetype i = 1; i < path.size() && found; ++i) {
            const QVariantMap *map = asMap(found);
            if (!map)
                return nullptr;
            const auto it = map->constFind(path[i]);
            found = it == map->cend() ? nullptr : &*it;
        }
        return found;
    }

    void writeValue(const QVariant &value)
    {
        switch (value.typeId()) {
        case QMetaType::UnknownType:
        case QMetaType::Nullptr:
        case QMetaType::QVariantList:
        case QMetaType::QVariantMap:
            return;
        case QMetaType::QString:
            TemplateEngine::appendEscaped(
                m_out, static_cast<const QString *>(value.constData())->toUtf8());
            return;
        case QMetaType::QByteArray:
            TemplateEngine::appendEscaped(m_out,
                                          *static_cast<const QByteArray *>(value.constData()));
            return;
        case QMetaType::Bool:
            m_out += value.toBool() ? "true" : "false";
            return;
        case QMetaType::Int:
        case QMetaType::LongLong:
            m_out += QByteArray::number(value.toLongLong());
            return;
        case QMetaType::UInt:
        case QMetaType::ULongLong:
            m_out += QByteArray::number(value.toULongLong());
            return;
        default:
            TemplateEngine::appendEscaped(m_out, value.toString().toUtf8());
        }
    }

    void renderNodes(const std::vector<Node> &nodes)
    {
        for (const Node &node : nodes) {
            switch (node.kind) {
            case Node::Kind::Text:
                m_out += node.text;
                break;
            case Node::Kind::Value:
                if (const QVariant *value = lookup(node.path))
                    writeValue(*value);
                break;
            case Node::Kind::Partial:
                renderNodes(m_data.templates[size_t(node.partial)]);
                break;
            case Node::Kind::Inverted: {
                const QVariant *value = lookup(node.path);
                if (!value || !truthy(*value))
                    renderNodes(node.children);
                break;
            }
            case Node::Kind::Section: {
                const QVariant *value = lookup(node.path);
                if (!value || !truthy(*value))
                    break;
                if (value->typeId() == QMetaType::QVariantList) {
                    for (const QVariant &item :
                         *static_cast<const QVariantList *>(value->constData())) {
                        m_stack.append(&item);
                        renderNodes(node.children);
                        m_stack.removeLast();
                    }
                    break;
                }
                m_stack.append(value);
                renderNodes(node.children);
                m_stack.removeLast();
                break;
            }
            }
        }
    }

    const TemplateEngine::Data &m_data;
    QByteArray &m_out;
    QVarLengthArray<const QVariant *, 16> m_stack;
};

} // namespace

TemplateEngine::TemplateEngine(std::shared_ptr<const Data> data) : m_data(std::move(data)) {}

Expected<TemplateEngine, QString>
TemplateEngine::fromSources(const QHash<QString, QByteArray> &sources)
{
    auto data = std::make_shared<Data>();
    QStringList names = sources.keys();
    names.sort();
    for (const QString &name : names) {
        auto parsed = parse(name, sources.value(name));
        if (!parsed)
            return parsed.error();
        data->index.insert(name, int(data->templates.size()));
        data->templates.push_back(std::move(parsed).value());
    }
    for (const QString &name : names) {
        const QString missing = link(data->templates[size_t(data->index.value(name))], data->index);
        if (!missing.isEmpty())
            return QStringLiteral("template %1 includes {{>%2}}, which does not exist")
                .arg(name, missing);
    }
    for (const QString &name : names) {
        QList<int> path;
        if (hasCycle(data->index.value(name), data->templates, path))
            return QStringLiteral("template %1 includes itself through its partials").arg(name);
    }
    return TemplateEngine(std::move(data));
}

Expected<TemplateEngine, QString> TemplateEngine::fromDirectory(const QString &directory)
{
    QHash<QString, QByteArray> sources;
    QDirIterator it(directory, {QStringLiteral("*.html")}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return QStringLiteral("cannot read template %1: %2").arg(path, file.errorString());
        QString name = path.mid(directory.size());
        while (name.startsWith(u'/'))
            name.remove(0, 1);
        name.chop(QByteArrayView(".html").size());
        sources.insert(name, file.readAll());
    }
    if (sources.isEmpty())
        return QStringLiteral("no templates in %1").arg(directory);
    return fromSources(sources);
}

bool TemplateEngine::contains(const QString &name) const
{
    return m_data->index.contains(name);
}

QStringList TemplateEngine::names() const
{
    QStringList names = m_data->index.keys();
    names.sort();
    return names;
}

QByteArray TemplateEngine::render(const QString &name, const QVariant &context) const
{
    const int index = m_data->index.value(name, -1);
    if (index < 0)
        return {};
    QByteArray out;
    out.reserve(4096);
    Renderer(*m_data, out).render(m_data->templates[size_t(index)], context);
    return out;
}

void TemplateEngine::appendEscaped(QByteArray &out, QByteArrayView utf8)
{
    // Every character that matters is ASCII, and UTF-8 never uses ASCII bytes inside a
    // multi-byte sequence, so a byte scan is exact.
    qsizetype plain = 0;
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const char *entity = nullptr;
        switch (utf8[i]) {
        case '&':
            entity = "&amp;";
            break;
        case '<':
            entity = "&lt;";
            break;
        case '>':
            entity = "&gt;";
            break;
        case '"':
            entity = "&quot;";
            break;
        case '\'':
            entity = "&#39;";
            break;
        case '`':
            entity = "&#96;";
            break;
        default:
            continue;
        }
        out.append(utf8.sliced(plain, i - plain));
        out.append(entity);
        plain = i + 1;
    }
    out.append(utf8.sliced(plain));
}

QByteArray TemplateEngine::escaped(const QString &text)
{
    QByteArray out;
    appendEscaped(out, text.toUtf8());
    return out;
}
