// The object editor against a real pilothouse-engine: server dry-run errors at their YAML lines,
// "Preview" as a diff, and a Deployment with its Service created through the form, then updated.
#include "gui/editors/containersection.h"
#include "gui/editors/deploymentform.h"
#include "gui/editors/diffview.h"
#include "gui/editors/objectdocument.h"
#include "gui/editors/objecteditor.h"
#include "gui/editors/podtemplatesection.h"
#include "gui/editors/recordlist.h"
#include "gui/editors/yamleditor.h"
#include "gui/editors/yamllocator.h"
#include "gui/editors/yamlview.h"
#include "kube/jsonutil.h"
#include "kube/yaml.h"
#include "tests/gui/editors/engineapplier.h"
#include "tests/gui/editors/guitestutil.h"
#include "tests/support/engineprocess/engineprocess.h"

#include <QCheckBox>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTest>

using namespace pilot::gui;
using pilot::gui::test::click;
using pilot::gui::test::EngineApplier;
using pilot::gui::test::saveScreenshot;
namespace json = boost::json;

namespace {

json::value at(const json::object& object, const char* path) {
    const json::value* v = FieldPath::parse(QString::fromLatin1(path)).find(object);
    return v ? *v : json::value();
}

void typeInto(QLineEdit* edit, const QString& text) {
    edit->setFocus();
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

const char* const InvalidDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
  namespace: default
spec:
  replicas: -1
  selector:
    matchLabels:
      app: broken
  template:
    metadata:
      labels:
        app: broken
    spec:
      containers:
      - name: main
        image: nginx
        ports:
        - containerPort: 99999
      - name: Side
        image: busybox
)";

} // namespace

class TestObjectEditor : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<pilot::testsupport::EngineProcess> m_engine;
    std::unique_ptr<EngineApplier> m_applier;

    /// `kubectl get` of one object as JSON, as a user would check it.
    json::object kubectlGet(const QString& kind, const QString& name) {
        QProcess kubectl;
        kubectl.start(QStringLiteral("kubectl"),
                      {QStringLiteral("--kubeconfig"),
                       QString::fromStdString(m_engine->kubeconfig()), QStringLiteral("get"), kind,
                       name, QStringLiteral("-n"), QStringLiteral("default"), QStringLiteral("-o"),
                       QStringLiteral("json")});
        if (!kubectl.waitForFinished(30000) || kubectl.exitCode() != 0) {
            qWarning("kubectl: %s", kubectl.readAllStandardError().constData());
            return {};
        }
        const QByteArray out = kubectl.readAllStandardOutput();
        auto parsed = pilot::kube::parseJson(std::string_view(out.constData(), size_t(out.size())));
        return parsed && parsed->is_object() ? parsed->as_object() : json::object();
    }

private Q_SLOTS:
    void initTestCase() {
        m_engine = pilot::gui::test::startEngine();
        QVERIFY2(m_engine != nullptr, "pilothouse-engine did not start");
        m_applier = std::make_unique<EngineApplier>(QString::fromStdString(m_engine->kubeconfig()));
        QVERIFY2(m_applier->ok(), qPrintable(m_applier->error()));
    }

    void cleanupTestCase() {
        m_applier.reset();
        m_engine.reset();
    }

    void dryRunErrorsAtTheirLines() {
        ObjectEditor editor(m_applier.get());
        editor.resize(900, 640);
        editor.show();
        editor.createNew(QStringLiteral("Deployment"), QStringLiteral("default"));
        editor.tabs()->setCurrentIndex(ObjectEditor::YamlTab);
        const QString text = QString::fromUtf8(InvalidDeployment);
        editor.yamlView()->editor()->setPlainText(text);
        QSignalSpy failed(&editor, &ObjectEditor::failed);
        click(editor.previewButton());
        QVERIFY(failed.wait(20000));
        // Each cause the server named is at its field's line.
        const QList<YamlDiagnostic> problems = editor.yamlView()->diagnostics();
        QCOMPARE(problems.size(), 3);
        auto lineOf = [&](const char* field) {
            return locateField(text, FieldPath::parse(QString::fromLatin1(field))).line;
        };
        QList<int> lines;
        for (const YamlDiagnostic& d : problems) {
            lines.append(d.line);
            QCOMPARE(d.line, lineOf(d.field.toLatin1().constData()));
        }
        std::sort(lines.begin(), lines.end());
        QCOMPARE(lines, (QList<int>{7, 20, 21}));
        QVERIFY(
            editor.yamlView()->editor()->messagesAt(7).contains(QStringLiteral("spec.replicas")));
        QCOMPARE(editor.tabs()->currentIndex(), int(ObjectEditor::YamlTab));
        QVERIFY(editor.bannerText().contains(QStringLiteral("broken")));
        saveScreenshot(&editor, QStringLiteral("objecteditor-dryrun-errors"));

        // Unknown fields (strict field validation) are placed too.
        editor.yamlView()->editor()->setPlainText(
            QString(text)
                .replace(QStringLiteral("replicas: -1"), QStringLiteral("replicas: 1"))
                .replace(QStringLiteral("99999"), QStringLiteral("80"))
                .replace(QStringLiteral("name: Side"),
                         QStringLiteral("name: side\n        imagePolicy: x")));
        click(editor.previewButton());
        QVERIFY(failed.wait(20000));
        QCOMPARE(editor.yamlView()->diagnostics().size(), 1);
        QCOMPARE(editor.yamlView()->diagnostics().first().line, 22);

        // Nothing was created by the dry runs.
        QSignalSpy got(this, &QObject::objectNameChanged);
        bool done = false;
        bool absent = false;
        m_applier->get({QStringLiteral("apps/v1"), QStringLiteral("Deployment"),
                        QStringLiteral("default"), QStringLiteral("broken")},
                       this, [&](const ObjectResult& r) {
                           absent = !r && r.error().isNotFound();
                           done = true;
                       });
        QTRY_VERIFY(done);
        QVERIFY(absent);
    }

    void createDeploymentAndServiceWithTheForm() {
        ObjectEditor editor(m_applier.get());
        editor.resize(900, 900);
        editor.show();
        editor.createNew(QStringLiteral("Deployment"), QStringLiteral("default"));
        auto* form = qobject_cast<DeploymentForm*>(editor.form());
        QVERIFY(form);
        QCOMPARE(editor.applyButton()->text(), QStringLiteral("Create"));
        typeInto(form->nameEdit(), QStringLiteral("web"));
        auto* main = qobject_cast<ContainerSection*>(form->podTemplate()->containers()->row(0));
        typeInto(main->imageEdit(), QStringLiteral("nginx:1.27"));
        form->replicas()->setFocus();
        form->replicas()->selectAll();
        QTest::keyClicks(form->replicas(), QStringLiteral("2"));
        click(main->ports()->addButton());
        typeInto(main->ports()->row(0)->findChild<QLineEdit*>(QStringLiteral("containerPort")),
                 QStringLiteral("8080"));
        click(main->env()->addButton());
        typeInto(main->env()->row(0)->findChild<QLineEdit*>(QStringLiteral("envName")),
                 QStringLiteral("MODE"));
        typeInto(main->env()->row(0)->findChild<QLineEdit*>(QStringLiteral("envValue")),
                 QStringLiteral("fast"));
        typeInto(main->resourceEdit(QStringLiteral("limits"), QStringLiteral("memory")),
                 QStringLiteral("128Mi"));
        click(form->createService());
        QVERIFY(form->createService()->isChecked());

        // Create shows the diff first (nothing live yet), then creates on confirmation.
        QSignalSpy previewed(&editor, &ObjectEditor::previewReady);
        click(editor.applyButton());
        QVERIFY2(previewed.wait(20000), qPrintable(editor.bannerText()));
        QCOMPARE(editor.tabs()->currentIndex(), int(ObjectEditor::PreviewTab));
        QVERIFY(editor.confirmButton()->isVisible());
        const DiffSummary summary = editor.diffView()->summary();
        QVERIFY(summary.added > 20);
        QCOMPARE(summary.removed + summary.changed, 0);
        QVERIFY(editor.diffView()->rightPane()->toPlainText().contains(
            QStringLiteral("kind: Service")));
        saveScreenshot(&editor, QStringLiteral("objecteditor-create-preview"));

        QSignalSpy applied(&editor, &ObjectEditor::applied);
        click(editor.confirmButton());
        QVERIFY(applied.wait(20000));
        const auto stored = applied.first().first().value<QList<json::object>>();
        QCOMPARE(stored.size(), 2);
        QVERIFY(editor.bannerText().contains(QStringLiteral("Deployment default/web")));
        QVERIFY(editor.bannerText().contains(QStringLiteral("Service default/web")));
        // The editor now edits the live object.
        QVERIFY(!editor.isCreating());
        QCOMPARE(editor.applyButton()->text(), QStringLiteral("Apply"));
        QVERIFY(form->nameEdit()->isReadOnly());
        saveScreenshot(&editor, QStringLiteral("objecteditor-created"));

        // As kubectl sees them.
        const json::object deployment =
            kubectlGet(QStringLiteral("deployment"), QStringLiteral("web"));
        QCOMPARE(at(deployment, "spec.replicas"), json::value(2));
        QCOMPARE(at(deployment, "spec.selector.matchLabels.app"), json::value("web"));
        QCOMPARE(at(deployment, "spec.template.spec.containers[0].image"),
                 json::value("nginx:1.27"));
        QCOMPARE(at(deployment, "spec.template.spec.containers[0].env[0].value"),
                 json::value("fast"));
        QCOMPARE(at(deployment, "spec.template.spec.containers[0].resources.limits.memory"),
                 json::value("128Mi"));
        const json::object service = kubectlGet(QStringLiteral("service"), QStringLiteral("web"));
        QCOMPARE(at(service, "spec.selector.app"), json::value("web"));
        QCOMPARE(at(service, "spec.ports[0].port"), json::value(8080));
        QCOMPARE(at(service, "spec.ports[0].targetPort"), json::value(8080));
        QVERIFY(at(service, "spec.clusterIP").is_string());

        // Change the image; Preview shows exactly that line changing; Apply updates the object.
        typeInto(main->imageEdit(), QStringLiteral("nginx:1.28"));
        click(editor.previewButton());
        QVERIFY2(previewed.wait(20000), qPrintable(editor.bannerText()));
        bool imageRow = false;
        for (const DiffRow& row : editor.diffView()->rows()) {
            if (row.kind == DiffRow::Kind::Changed &&
                row.left.contains(QStringLiteral("nginx:1.27")) &&
                row.right.contains(QStringLiteral("nginx:1.28"))) {
                imageRow = true;
            }
        }
        QVERIFY(imageRow);
        // Only what was edited changes (and the generation it bumps): what the controllers wrote
        // meanwhile (the revision annotation, status) stays.
        QCOMPARE(editor.diffView()->summary().added, 0);
        QCOMPARE(editor.diffView()->summary().removed, 0);
        QVERIFY(!editor.confirmButton()->isVisible()); // Preview alone does not offer to apply
        saveScreenshot(&editor, QStringLiteral("objecteditor-update-preview"));
        click(editor.applyButton());
        QVERIFY2(previewed.wait(20000), qPrintable(editor.bannerText()));
        click(editor.confirmButton());
        QVERIFY(applied.wait(20000));
        QCOMPARE(at(kubectlGet(QStringLiteral("deployment"), QStringLiteral("web")),
                    "spec.template.spec.containers[0].image"),
                 json::value("nginx:1.28"));
        QCOMPARE(applied.last().first().value<QList<json::object>>().size(), 1);
    }

    void applyingUnchangedSaysSo() {
        bool done = false;
        json::object live;
        m_applier->get({QStringLiteral("apps/v1"), QStringLiteral("Deployment"),
                        QStringLiteral("default"), QStringLiteral("web")},
                       this, [&](const ObjectResult& r) {
                           if (r) {
                               live = *r;
                           }
                           done = true;
                       });
        QTRY_VERIFY(done);
        QVERIFY(!live.empty());
        ObjectEditor editor(m_applier.get());
        editor.show();
        editor.editObject(live);
        QSignalSpy previewed(&editor, &ObjectEditor::previewReady);
        click(editor.applyButton());
        QVERIFY2(previewed.wait(20000), qPrintable(editor.bannerText()));
        QVERIFY(editor.diffView()->summary().identical());
        QVERIFY(!editor.confirmButton()->isVisible());
        QVERIFY(!editor.bannerText().isEmpty());
    }
};

QTEST_MAIN(TestObjectEditor)
#include "tst_objecteditor.moc"
