#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "web/DashboardView.h"
#include "web/TemplateEngine.h"

using Sources = QHash<QString, QByteArray>;

class tst_TemplateEngine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void render_data();
    void render();
    void refuses_data();
    void refuses();
    void fromDirectory();
    void missingDirectory();
    void compiledInTemplatesLoad();
    void dashboardNeedsEveryTemplate();

private:
    static bool write(const QString &path, const QByteArray &bytes);
};

void tst_TemplateEngine::render_data()
{
    QTest::addColumn<Sources>("sources");
    QTest::addColumn<QVariant>("context");
    QTest::addColumn<QByteArray>("expected");

    const auto one = [](const char *source) { return Sources{{QStringLiteral("t"), source}}; };
    const auto map = [](std::initializer_list<std::pair<QString, QVariant>> pairs) {
        return QVariant(QVariantMap(pairs));
    };

    QTest::addRow("text only") << one("<p>hello</p>") << QVariant() << QByteArray("<p>hello</p>");
    QTest::addRow("value") << one("<p>{{name}}</p>")
                           << map({{QStringLiteral("name"), QStringLiteral("ada")}})
                           << QByteArray("<p>ada</p>");
    QTest::addRow("spaces in tag")
        << one("<p>{{ name }}</p>") << map({{QStringLiteral("name"), QStringLiteral("x")}})
        << QByteArray("<p>x</p>");
    QTest::addRow("missing value is empty")
        << one("<p>{{nope}}</p>") << map({}) << QByteArray("<p></p>");
    QTest::addRow("escapes markup")
        << one("<p>{{v}}</p>")
        << map({{QStringLiteral("v"), QStringLiteral("<img src=x onerror=alert(1)>")}})
        << QByteArray("<p>&lt;img src=x onerror=alert(1)&gt;</p>");
    QTest::addRow("escapes all five and backtick")
        << one("{{v}}") << map({{QStringLiteral("v"), QStringLiteral("<>&\"'`")}})
        << QByteArray("&lt;&gt;&amp;&quot;&#39;&#96;");
    QTest::addRow("double-quoted attribute")
        << one("<a title=\"{{v}}\">x</a>")
        << map({{QStringLiteral("v"), QStringLiteral("\" onmouseover=\"alert(1)")}})
        << QByteArray("<a title=\"&quot; onmouseover=&quot;alert(1)\">x</a>");
    QTest::addRow("single-quoted attribute")
        << one("<a title='{{v}}'>x</a>")
        << map({{QStringLiteral("v"), QStringLiteral("' onfocus='alert(1)")}})
        << QByteArray("<a title='&#39; onfocus=&#39;alert(1)'>x</a>");
    QTest::addRow("value after a URL's fixed start")
        << one("<a href=\"/sandboxes/{{id}}\">x</a>")
        << map({{QStringLiteral("id"), QStringLiteral("a\"b")}})
        << QByteArray("<a href=\"/sandboxes/a&quot;b\">x</a>");
    QTest::addRow("entities are not decoded first")
        << one("{{v}}") << map({{QStringLiteral("v"), QStringLiteral("&lt;")}})
        << QByteArray("&amp;lt;");
    QTest::addRow("utf-8") << one("{{v}}")
                           << map({{QStringLiteral("v"), QStringLiteral("café ✓ 🙂")}})
                           << QStringLiteral("café ✓ 🙂").toUtf8();
    QTest::addRow("dotted name")
        << one("{{a.b.c}}")
        << map({{QStringLiteral("a"),
                 QVariantMap{{QStringLiteral("b"),
                              QVariantMap{{QStringLiteral("c"), QStringLiteral("deep")}}}}}})
        << QByteArray("deep");
    QTest::addRow("dotted name, missing middle")
        << one("[{{a.x.c}}]") << map({{QStringLiteral("a"), QVariantMap{}}}) << QByteArray("[]");
    QTest::addRow("numbers and bools")
        << one("{{i}} {{u}} {{d}} {{b}} {{f}}")
        << map({{QStringLiteral("i"), -3},
                {QStringLiteral("u"), quint64(18446744073709551615ULL)},
                {QStringLiteral("d"), 2.5},
                {QStringLiteral("b"), true},
                {QStringLiteral("f"), false}})
        << QByteArray("-3 18446744073709551615 2.5 true false");
    QTest::addRow("list of maps")
        << one("<ul>{{#items}}<li>{{name}}</li>{{/items}}</ul>")
        << map({{QStringLiteral("items"),
                 QVariantList{QVariantMap{{QStringLiteral("name"), QStringLiteral("a")}},
                              QVariantMap{{QStringLiteral("name"), QStringLiteral("<b>")}}}}})
        << QByteArray("<ul><li>a</li><li>&lt;b&gt;</li></ul>");
    QTest::addRow("list of strings with dot")
        << one("{{#items}}[{{.}}]{{/items}}")
        << map({{QStringLiteral("items"), QVariantList{QStringLiteral("x"), QStringLiteral("<")}}})
        << QByteArray("[x][&lt;]");
    QTest::addRow("outer names inside a section")
        << one("{{#items}}{{prefix}}{{name}} {{/items}}")
        << map({{QStringLiteral("prefix"), QStringLiteral("#")},
                {QStringLiteral("items"),
                 QVariantList{QVariantMap{{QStringLiteral("name"), QStringLiteral("a")}}}}})
        << QByteArray("#a ");
    QTest::addRow("map section") << one("{{#user}}{{name}}{{/user}}")
                                 << map({{QStringLiteral("user"),
                                          QVariantMap{
                                              {QStringLiteral("name"), QStringLiteral("u")}}}})
                                 << QByteArray("u");
    QTest::addRow("true section") << one("{{#on}}yes{{/on}}") << map({{QStringLiteral("on"), true}})
                                  << QByteArray("yes");
    QTest::addRow("string section pushes the string")
        << one("{{#s}}[{{.}}]{{/s}}") << map({{QStringLiteral("s"), QStringLiteral("v")}})
        << QByteArray("[v]");
    QTest::addRow("false section")
        << one("{{#on}}yes{{/on}}") << map({{QStringLiteral("on"), false}}) << QByteArray();
    QTest::addRow("missing section") << one("{{#on}}yes{{/on}}") << map({}) << QByteArray();
    QTest::addRow("empty list section")
        << one("{{#l}}x{{/l}}") << map({{QStringLiteral("l"), QVariantList{}}}) << QByteArray();
    QTest::addRow("empty string section")
        << one("{{#s}}x{{/s}}") << map({{QStringLiteral("s"), QString()}}) << QByteArray();
    QTest::addRow("zero section") << one("{{#n}}x{{/n}}") << map({{QStringLiteral("n"), 0}})
                                  << QByteArray();
    QTest::addRow("inverted missing") << one("{{^on}}no{{/on}}") << map({}) << QByteArray("no");
    QTest::addRow("inverted false")
        << one("{{^on}}no{{/on}}") << map({{QStringLiteral("on"), false}}) << QByteArray("no");
    QTest::addRow("inverted empty list")
        << one("{{^l}}none{{/l}}") << map({{QStringLiteral("l"), QVariantList{}}})
        << QByteArray("none");
    QTest::addRow("inverted true")
        << one("{{^on}}no{{/on}}") << map({{QStringLiteral("on"), true}}) << QByteArray();
    QTest::addRow("section inside an attribute value")
        << one("<li class=\"card{{#on}} on{{/on}}\">") << map({{QStringLiteral("on"), true}})
        << QByteArray("<li class=\"card on\">");
    QTest::addRow("section toggling an attribute")
        << one("<input type=\"checkbox\" {{#on}}checked{{/on}}>")
        << map({{QStringLiteral("on"), true}}) << QByteArray("<input type=\"checkbox\" checked>");
    QTest::addRow("comment") << one("a{{! anything <at> all }}b") << map({}) << QByteArray("ab");
    QTest::addRow("standalone lines vanish")
        << one("<ul>\n  {{#l}}\n  <li>{{.}}</li>\n  {{/l}}\n</ul>\n")
        << map({{QStringLiteral("l"), QVariantList{1, 2}}})
        << QByteArray("<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
    QTest::addRow("partial in the current context")
        << Sources{{QStringLiteral("t"), "<main>{{>parts/item}}</main>"},
                   {QStringLiteral("parts/item"), "<b>{{name}}</b>"}}
        << map({{QStringLiteral("name"), QStringLiteral("<x>")}})
        << QByteArray("<main><b>&lt;x&gt;</b></main>");
    QTest::addRow("partial in a loop")
        << Sources{{QStringLiteral("t"), "{{#l}}{{>p}}{{/l}}"}, {QStringLiteral("p"), "({{.}})"}}
        << map({{QStringLiteral("l"), QVariantList{QStringLiteral("a"), QStringLiteral("b")}}})
        << QByteArray("(a)(b)");
    QTest::addRow("script and style content kept as is")
        << one("<script src=\"/a.js\"></script><style>p{}</style><p>{{v}}</p>")
        << map({{QStringLiteral("v"), QStringLiteral("1")}})
        << QByteArray("<script src=\"/a.js\"></script><style>p{}</style><p>1</p>");
    QTest::addRow("braces that are not tags")
        << one("<meta content='{\"a\":{\"b\":1}}'>") << map({})
        << QByteArray("<meta content='{\"a\":{\"b\":1}}'>");
}

void tst_TemplateEngine::render()
{
    QFETCH(Sources, sources);
    QFETCH(QVariant, context);
    QFETCH(QByteArray, expected);

    const auto engine = TemplateEngine::fromSources(sources);
    QVERIFY2(engine, engine ? "" : qPrintable(engine.error()));
    QCOMPARE(engine->render(QStringLiteral("t"), context), expected);
}

void tst_TemplateEngine::refuses_data()
{
    QTest::addColumn<Sources>("sources");
    QTest::addColumn<QString>("why"); // part of the error message

    const auto one = [](const char *source) { return Sources{{QStringLiteral("t"), source}}; };
    QTest::addRow("triple braces") << one("{{{raw}}}") << QStringLiteral("unescaped");
    QTest::addRow("ampersand") << one("{{&raw}}") << QStringLiteral("not supported");
    QTest::addRow("delimiter change") << one("{{=<% %>=}}") << QStringLiteral("not supported");
    QTest::addRow("unterminated tag") << one("<p>{{name</p>") << QStringLiteral("not closed");
    QTest::addRow("empty tag") << one("{{ }}") << QStringLiteral("empty tag");
    QTest::addRow("bad name") << one("{{a b}}") << QStringLiteral("bad name");
    QTest::addRow("unclosed section") << one("{{#a}}x") << QStringLiteral("never closed");
    QTest::addRow("wrong close") << one("{{#a}}x{{/b}}") << QStringLiteral("closes {{#a}}");
    QTest::addRow("stray close") << one("x{{/a}}") << QStringLiteral("not open");
    QTest::addRow("value between attributes")
        << one("<a {{attrs}}>x</a>") << QStringLiteral("outside a quoted");
    QTest::addRow("unquoted attribute value")
        << one("<a title={{v}}>x</a>") << QStringLiteral("outside a quoted");
    QTest::addRow("value as the tag name")
        << one("<{{tag}}>") << QStringLiteral("outside a quoted");
    QTest::addRow("start of href")
        << one("<a href=\"{{url}}\">x</a>") << QStringLiteral("URL attribute href");
    QTest::addRow("start of src") << one("<img src='{{url}}'>")
                                  << QStringLiteral("URL attribute src");
    QTest::addRow("start of hx-get")
        << one("<div hx-get=\"{{url}}\"></div>") << QStringLiteral("URL attribute hx-get");
    QTest::addRow("event handler")
        << one("<a onclick=\"go('{{v}}')\">x</a>") << QStringLiteral("event handler");
    QTest::addRow("style attribute")
        << one("<p style=\"color: {{c}}\">x</p>") << QStringLiteral("style attribute");
    QTest::addRow("in script") << one("<script>var a = '{{v}}';</script>")
                               << QStringLiteral("inside <script>");
    QTest::addRow("in style") << one("<style>p { color: {{c}} }</style>")
                              << QStringLiteral("inside <style>");
    QTest::addRow("in comment") << one("<!-- {{v}} -->") << QStringLiteral("HTML comment");
    QTest::addRow("section leaves a quote open")
        << one("<a title=\"{{#on}}x\">{{/on}}\">")
        << QStringLiteral("does not end in the HTML context");
    QTest::addRow("template ends inside a tag")
        << one("<a href=\"/x\"") << QStringLiteral("ends inside");
    QTest::addRow("partial inside a tag")
        << Sources{{QStringLiteral("t"), "<a {{>p}}>"}, {QStringLiteral("p"), "x"}}
        << QStringLiteral("only be included in text");
    QTest::addRow("missing partial")
        << one("{{>nowhere}}") << QStringLiteral("{{>nowhere}}, which does not exist");
    QTest::addRow("partial cycle")
        << Sources{{QStringLiteral("a"), "{{>b}}"}, {QStringLiteral("b"), "{{#x}}{{>a}}{{/x}}"}}
        << QStringLiteral("includes itself");
}

void tst_TemplateEngine::refuses()
{
    QFETCH(Sources, sources);
    QFETCH(QString, why);

    const auto engine = TemplateEngine::fromSources(sources);
    QVERIFY(!engine);
    QVERIFY2(engine.error().contains(why), qPrintable(engine.error()));
}

bool tst_TemplateEngine::write(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

void tst_TemplateEngine::fromDirectory()
{
    QTemporaryDir dir;
    QVERIFY(
        write(dir.filePath(QStringLiteral("page.html")), "<h1>{{title}}</h1>{{>fragments/part}}"));
    QVERIFY(write(dir.filePath(QStringLiteral("fragments/part.html")), "<p>{{title}}</p>"));
    QVERIFY(write(dir.filePath(QStringLiteral("notes.txt")), "{{{ignored: not a template}}}"));

    const auto engine = TemplateEngine::fromDirectory(dir.path());
    QVERIFY2(engine, engine ? "" : qPrintable(engine.error()));
    QCOMPARE(engine->names(),
             (QStringList{QStringLiteral("fragments/part"), QStringLiteral("page")}));
    QCOMPARE(engine->render(QStringLiteral("page"),
                            QVariantMap{{QStringLiteral("title"), QStringLiteral("a&b")}}),
             QByteArray("<h1>a&amp;b</h1><p>a&amp;b</p>"));
    QCOMPARE(engine->render(QStringLiteral("unknown"), QVariantMap{}), QByteArray());
}

void tst_TemplateEngine::missingDirectory()
{
    const auto engine = TemplateEngine::fromDirectory(QStringLiteral("/nonexistent/templates"));
    QVERIFY(!engine);
    QVERIFY2(engine.error().contains(QStringLiteral("no templates")), qPrintable(engine.error()));
}

void tst_TemplateEngine::compiledInTemplatesLoad()
{
    const auto view = DashboardView::load(QStringLiteral(":/web/templates"));
    QVERIFY2(view, view ? "" : qPrintable(view.error()));
}

void tst_TemplateEngine::dashboardNeedsEveryTemplate()
{
    // A copy of the real templates with one left out, then with one broken: either is a
    // startup failure that names the file.
    QTemporaryDir dir;
    const QString root = QStringLiteral(":/web/templates");
    const auto copyAll = [&](const QString &skip, const QByteArray &replacement) {
        for (const QString &name :
             DashboardView::requiredTemplates() +
                 QStringList{QStringLiteral("partials/head"), QStringLiteral("partials/foot")}) {
            QFile in(root + u'/' + name + QStringLiteral(".html"));
            if (!in.open(QIODevice::ReadOnly))
                return false;
            if (name == skip && replacement.isEmpty())
                continue;
            if (!write(dir.filePath(name + QStringLiteral(".html")),
                       name == skip ? replacement : in.readAll()))
                return false;
        }
        return true;
    };
    QVERIFY(copyAll(QStringLiteral("not_found"), {}));
    auto view = DashboardView::load(dir.path());
    QVERIFY(!view);
    QVERIFY2(view.error().contains(QStringLiteral("not_found.html is missing")),
             qPrintable(view.error()));

    QVERIFY(
        copyAll(QStringLiteral("index"), "{{>partials/head}}<p>{{#open}}</p>{{>partials/foot}}"));
    view = DashboardView::load(dir.path());
    QVERIFY(!view);
    QVERIFY2(view.error().contains(QStringLiteral("template index")), qPrintable(view.error()));
}

QTEST_GUILESS_MAIN(tst_TemplateEngine)
#include "tst_TemplateEngine.moc"
