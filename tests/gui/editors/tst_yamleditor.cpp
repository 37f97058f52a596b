// The YAML editor: highlighting (and which highlighter is chosen), line numbers, and problems
// shown at their lines: parse errors while typing, API errors mapped from their field paths.
#include "gui/editors/fieldpath.h"
#include "gui/editors/objectdocument.h"
#include "gui/editors/yamldiagnostics.h"
#include "gui/editors/yamleditor.h"
#include "gui/editors/yamlhighlighter.h"
#include "gui/editors/yamlhighlighting.h"
#include "gui/editors/yamllocator.h"
#include "gui/editors/yamlview.h"
#include "kube/jsonutil.h"
#include "kube/yaml.h"
#include "tests/gui/editors/guitestutil.h"

#include <QListWidget>
#include <QSyntaxHighlighter>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>

using namespace pilot::gui;
using pilot::gui::test::saveScreenshot;
namespace json = boost::json;

namespace {

/// The role whose format covers `column` of `line` in the editor, or -1.
int roleAt(YamlEditor& editor, int line, int column) {
    const QTextBlock block = editor.document()->findBlockByNumber(line - 1);
    for (const QTextLayout::FormatRange& range : block.layout()->formats()) {
        if (column < range.start || column >= range.start + range.length) {
            continue;
        }
        for (int r = 0; r <= int(YamlHighlighter::Role::Indicator); ++r) {
            const QTextCharFormat f = YamlHighlighter::format(YamlHighlighter::Role(r));
            if (f.foreground() == range.format.foreground() &&
                f.fontWeight() == range.format.fontWeight() &&
                f.fontItalic() == range.format.fontItalic()) {
                return r;
            }
        }
    }
    return -1;
}

const char* const DeploymentYaml = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: main
        image: nginx:1.25
        ports:
        - containerPort: 80
      - name: side
        image: busybox
)";

} // namespace

class TestYamlEditor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void highlighterChoice_data() {
        QTest::addColumn<bool>("kf6");
        QTest::addColumn<bool>("hasYaml");
        QTest::addColumn<QString>("env");
        QTest::addColumn<int>("expected");
        const int kf = int(YamlHighlighterKind::KSyntaxHighlighting);
        const int own = int(YamlHighlighterKind::Builtin);
        QTest::newRow("KF6 found, knows YAML") << true << true << QString() << kf;
        QTest::newRow("KF6 found, no YAML definition") << true << false << QString() << own;
        QTest::newRow("KF6 not found (Debian 12)") << false << false << QString() << own;
        QTest::newRow("forced builtin") << true << true << QStringLiteral("builtin") << own;
    }
    void highlighterChoice() {
        QFETCH(bool, kf6);
        QFETCH(bool, hasYaml);
        QFETCH(QString, env);
        QFETCH(int, expected);
        qputenv("PILOT_YAML_HIGHLIGHTER", env.toUtf8());
        QCOMPARE(int(chooseYamlHighlighter(kf6, hasYaml)), expected);
        qunsetenv("PILOT_YAML_HIGHLIGHTER");
    }

    void editorUsesTheChosenHighlighter() {
        YamlEditor editor;
        const YamlHighlighterKind expected = kSyntaxHighlightingAvailable()
                                                 ? YamlHighlighterKind::KSyntaxHighlighting
                                                 : YamlHighlighterKind::Builtin;
        QCOMPARE(editor.highlighterKind(), expected);
        QVERIFY(editor.document()->findChild<QSyntaxHighlighter*>() != nullptr);
    }

    void highlighting_data() {
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<int>("role");
        auto role = [](YamlHighlighter::Role r) { return int(r); };
        QTest::newRow("document marker") << 1 << 0 << role(YamlHighlighter::Role::DocumentMarker);
        QTest::newRow("key") << 2 << 0 << role(YamlHighlighter::Role::Key);
        QTest::newRow("plain scalar") << 2 << 13 << role(YamlHighlighter::Role::String);
        QTest::newRow("comment") << 2 << 20 << role(YamlHighlighter::Role::Comment);
        QTest::newRow("nested key") << 4 << 2 << role(YamlHighlighter::Role::Key);
        QTest::newRow("anchor") << 4 << 8 << role(YamlHighlighter::Role::Anchor);
        QTest::newRow("number") << 4 << 12 << role(YamlHighlighter::Role::Literal);
        QTest::newRow("boolean") << 5 << 11 << role(YamlHighlighter::Role::Literal);
        QTest::newRow("alias") << 6 << 9 << role(YamlHighlighter::Role::Anchor);
        QTest::newRow("quoted string") << 7 << 9 << role(YamlHighlighter::Role::String);
        QTest::newRow("block indicator") << 8 << 10 << role(YamlHighlighter::Role::Indicator);
        QTest::newRow("block content") << 9 << 4 << role(YamlHighlighter::Role::BlockScalar);
        QTest::newRow("block content with colon")
            << 10 << 4 << role(YamlHighlighter::Role::BlockScalar);
        QTest::newRow("key after block") << 11 << 2 << role(YamlHighlighter::Role::Key);
        QTest::newRow("sequence key") << 12 << 4 << role(YamlHighlighter::Role::Key);
        QTest::newRow("flow key") << 13 << 11 << role(YamlHighlighter::Role::Key);
        QTest::newRow("document end") << 14 << 1 << role(YamlHighlighter::Role::DocumentMarker);
    }
    void highlighting() {
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(int, role);
        YamlEditor editor;
        editor.setPlainText(QStringLiteral("---\n"
                                           "kind: ConfigMap  # a comment\n"
                                           "data:\n"
                                           "  port: &p 8080\n"
                                           "  debug: true\n"
                                           "  again: *p\n"
                                           "  name: \"quoted # not a comment\"\n"
                                           "  script: |-\n"
                                           "    echo hello\n"
                                           "    key: not a key\n"
                                           "  after: x\n"
                                           "  - name: item\n"
                                           "  labels: {app: web}\n"
                                           "...\n"));
        QCOMPARE(roleAt(editor, line, column), role);
    }

    void locatesFields_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("line");
        QTest::addColumn<bool>("exact");
        QTest::newRow("top-level") << QStringLiteral("kind") << 2 << true;
        QTest::newRow("nested") << QStringLiteral("spec.replicas") << 8 << true;
        QTest::newRow("map key in brackets") << QStringLiteral("metadata.labels[app]") << 6 << true;
        QTest::newRow("list item field")
            << QStringLiteral("spec.template.spec.containers[1].image") << 23 << true;
        QTest::newRow("deep list")
            << QStringLiteral("spec.template.spec.containers[0].ports[0].containerPort") << 21
            << true;
        QTest::newRow("SSA notation") << QStringLiteral(".spec.replicas") << 8 << true;
        QTest::newRow("missing field: its parent")
            << QStringLiteral("spec.template.spec.containers[1].resources") << 22 << false;
        QTest::newRow("missing item: the list")
            << QStringLiteral("spec.template.spec.containers[5].image") << 17 << false;
    }
    void locatesFields() {
        QFETCH(QString, path);
        QFETCH(int, line);
        QFETCH(bool, exact);
        const YamlLocation at =
            locateField(QString::fromUtf8(DeploymentYaml), FieldPath::parse(path));
        QCOMPARE(at.line, line);
        QCOMPARE(at.exact, exact);
    }

    void fieldPathsRoundTrip_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("printed");
        QTest::newRow("plain") << QStringLiteral("spec.template.spec.containers[0].image")
                               << QStringLiteral("spec.template.spec.containers[0].image");
        QTest::newRow("label key") << QStringLiteral("metadata.labels[app.kubernetes.io/name]")
                                   << QStringLiteral("metadata.labels[app.kubernetes.io/name]");
        QTest::newRow("leading dot")
            << QStringLiteral(".spec.replicas") << QStringLiteral("spec.replicas");
    }
    void fieldPathsRoundTrip() {
        QFETCH(QString, text);
        QFETCH(QString, printed);
        QCOMPARE(FieldPath::parse(text).toString(), printed);
    }

    void typingShowsParseErrorAtItsLine() {
        ObjectDocument document;
        YamlView view(&document);
        view.resize(640, 420);
        view.show();
        YamlEditor* editor = view.editor();
        editor->setFocus();
        // Typed as a user would: Return keeps the indentation (one level deeper after "key:").
        QTest::keyClicks(editor, QStringLiteral("apiVersion: v1"));
        QTest::keyClick(editor, Qt::Key_Return);
        QTest::keyClicks(editor, QStringLiteral("kind: ConfigMap"));
        QTest::keyClick(editor, Qt::Key_Return);
        QTest::keyClicks(editor, QStringLiteral("metadata:"));
        QTest::keyClick(editor, Qt::Key_Return);
        QTest::keyClicks(editor, QStringLiteral("name: settings"));
        QTest::keyClick(editor, Qt::Key_Return);
        QTest::keyClick(editor, Qt::Key_Backspace);
        QTest::keyClick(editor, Qt::Key_Backspace);
        QTest::keyClicks(editor, QStringLiteral("data:"));
        QTest::keyClick(editor, Qt::Key_Return);
        QTest::keyClicks(editor, QStringLiteral("a: 1"));
        QTRY_COMPARE(pilot::kube::stringAt(document.object(), "kind"), std::string("ConfigMap"));
        QCOMPARE(editor->toPlainText(),
                 QStringLiteral("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"
                                "data:\n  a: 1"));
        QVERIFY(view.diagnostics().isEmpty());

        // A key indented less than its siblings breaks the mapping on line 7.
        QTest::keyClick(editor, Qt::Key_Return);
        QTest::keyClick(editor, Qt::Key_Backspace);
        QTest::keyClicks(editor, QStringLiteral("b: 2"));
        QTRY_VERIFY(!view.diagnostics().isEmpty());
        QCOMPARE(view.diagnostics().first().line, 7);
        QVERIFY(!document.isTextValid());
        QVERIFY(!editor->messagesAt(7).isEmpty());
        auto* problems = view.findChild<QListWidget*>(QStringLiteral("problems"));
        QVERIFY(problems && problems->isVisible());
        QCOMPARE(problems->count(), 1);
        QVERIFY(problems->item(0)->text().contains(QStringLiteral("7")));
        saveScreenshot(&view, QStringLiteral("yamleditor-parse-error"));

        // Fixing the line clears the problem and the document follows the text again.
        QTest::keyClick(editor, Qt::Key_Home);
        QTest::keyClick(editor, Qt::Key_Space);
        QTRY_VERIFY(view.diagnostics().isEmpty());
        QVERIFY(document.isTextValid());
        const json::value* b = FieldPath::parse(QStringLiteral("data.b")).find(document.object());
        QVERIFY(b && b->is_int64() && b->get_int64() == 2);
    }

    void serverErrorsAtTheirFields() {
        ObjectDocument document;
        YamlView view(&document);
        view.resize(760, 520);
        view.show();
        view.editor()->setPlainText(QString::fromUtf8(DeploymentYaml));
        view.flush();
        QCOMPARE(pilot::kube::stringAt(document.object(), "kind"), std::string("Deployment"));
        // The body the API server returns for an invalid Deployment.
        const QByteArray body = R"({"kind":"Status","apiVersion":"v1","metadata":{},
            "status":"Failure","message":"Deployment.apps web is invalid: ...",
            "reason":"Invalid","details":{"name":"web","group":"apps","kind":"Deployment",
            "causes":[{"reason":"FieldValueRequired","message":"Required value",
                       "field":"spec.template.spec.containers[1].image"},
                      {"reason":"FieldValueInvalid","message":"Invalid value: 2: too many",
                       "field":"spec.replicas"}]},"code":422})";
        view.showServerError(StatusError::fromResponse(422, body));
        QCOMPARE(view.diagnostics().size(), 2);
        QCOMPARE(view.diagnostics().at(0).line, 23);
        QCOMPARE(view.diagnostics().at(1).line, 8);
        QVERIFY(view.editor()->messagesAt(23).contains(QStringLiteral("Required value")));
        saveScreenshot(&view, QStringLiteral("yamleditor-server-errors"));

        // Lines inserted above move the problem with its field.
        QTextCursor cursor(view.editor()->document());
        cursor.insertText(QStringLiteral("# a comment\n"));
        view.flush();
        QCOMPARE(view.diagnostics().at(0).line, 24);

        // Editing the value the error was about removes that problem only.
        const QString text = view.editor()->toPlainText().replace(QStringLiteral("replicas: 2"),
                                                                  QStringLiteral("replicas: 1"));
        view.editor()->setPlainText(text);
        view.flush();
        QCOMPARE(view.diagnostics().size(), 1);
        QCOMPARE(view.diagnostics().at(0).field,
                 QStringLiteral("spec.template.spec.containers[1].image"));
    }

    void strictDecodingErrorsNameTheirField() {
        // moc cannot read escaped quotes inside raw strings, hence the plain literal.
        const QByteArray body =
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
            "\"message\":\"strict decoding error: unknown field "
            "\\\"spec.template.spec.containers[0].imagePullPolicyy\\\"\","
            "\"reason\":\"BadRequest\",\"code\":400}";
        const StatusError error = StatusError::fromResponse(400, body);
        const auto diagnostics = serverDiagnostics(
            QString::fromUtf8(DeploymentYaml)
                .replace(QStringLiteral("image: nginx:1.25"),
                         QStringLiteral("image: nginx:1.25\n        imagePullPolicyy: Always")),
            error);
        QCOMPARE(diagnostics.size(), 1);
        QCOMPARE(diagnostics.first().line, 20);
    }

    void documentChangesRenderAsYaml() {
        ObjectDocument document;
        YamlView view(&document);
        auto parsed = pilot::kube::parseYaml(DeploymentYaml);
        QVERIFY(parsed);
        document.setObject(parsed->as_object(), nullptr);
        QVERIFY(view.editor()->toPlainText().contains(QStringLiteral("replicas: 2")));
        document.setValue(FieldPath::parse(QStringLiteral("spec.replicas")), 5, nullptr);
        QVERIFY(view.editor()->toPlainText().contains(QStringLiteral("replicas: 5")));
        // One undo step brings the previous text back.
        view.editor()->undo();
        QVERIFY(view.editor()->toPlainText().contains(QStringLiteral("replicas: 2")));
    }
};

QTEST_MAIN(TestYamlEditor)
#include "tst_yamleditor.moc"
