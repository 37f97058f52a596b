// The Deployment form and the YAML view stay in step both ways, and the form never disturbs the
// fields it does not know.
#include "gui/editors/containersection.h"
#include "gui/editors/deploymentform.h"
#include "gui/editors/keyvaluetable.h"
#include "gui/editors/objectdocument.h"
#include "gui/editors/objecteditor.h"
#include "gui/editors/podtemplatesection.h"
#include "gui/editors/probesection.h"
#include "gui/editors/recordlist.h"
#include "gui/editors/workloadform.h"
#include "gui/editors/yamleditor.h"
#include "gui/editors/yamlview.h"
#include "kube/jsonutil.h"
#include "kube/yaml.h"
#include "tests/gui/editors/guitestutil.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>
#include <QToolButton>

using namespace pilot::gui;
using pilot::gui::test::click;
using pilot::gui::test::saveScreenshot;
namespace json = boost::json;

namespace {

json::value at(const json::object& object, const char* path) {
    const json::value* v = FieldPath::parse(QString::fromLatin1(path)).find(object);
    return v ? *v : json::value();
}

template <typename T>
T* child(QWidget* parent, const char* name) {
    T* w = parent->findChild<T*>(QString::fromLatin1(name));
    if (w == nullptr) {
        qWarning("no child %s", name);
    }
    return w;
}

/// Types into a line edit as a user would (select all, then the keys).
void typeInto(QLineEdit* edit, const QString& text) {
    edit->setFocus();
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

/// Picks item `index` of a combo box with the keyboard.
void choose(QComboBox* combo, int index) {
    combo->setFocus();
    while (combo->currentIndex() < index) {
        QTest::keyClick(combo, Qt::Key_Down);
    }
    while (combo->currentIndex() > index) {
        QTest::keyClick(combo, Qt::Key_Up);
    }
}

ContainerSection* container(DeploymentForm* form, int index) {
    return qobject_cast<ContainerSection*>(form->podTemplate()->containers()->row(index));
}

/// A Deployment with fields the form does not edit, everywhere.
const char* const LiveDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  uid: 6a0c1f1e-0000-4000-8000-000000000001
  resourceVersion: "42"
  annotations:
    team: storefront
  labels:
    app: web
spec:
  replicas: 2
  minReadySeconds: 5
  revisionHistoryLimit: 4
  selector:
    matchLabels:
      app: web
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app: web
      annotations:
        prometheus.io/scrape: "true"
    spec:
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions:
              - key: disk
                operator: In
                values: [ssd]
      containers:
      - name: main
        image: nginx:1.25
        securityContext:
          runAsNonRoot: true
        env:
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: MODE
          value: fast
        ports:
        - containerPort: 80
          name: http
        x-custom-field: keep me
      volumes:
      - name: cache
        emptyDir: {}
        x-extra: 1
status:
  replicas: 2
)";

json::object parse(const char* text) {
    auto parsed = pilot::kube::parseYaml(text);
    return parsed ? parsed->as_object() : json::object();
}

} // namespace

class TestDeploymentForm : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void formEditsShowInYaml() {
        ObjectEditor editor(nullptr);
        editor.resize(900, 1000);
        editor.show();
        editor.createNew(QStringLiteral("Deployment"), QStringLiteral("default"));
        auto* form = qobject_cast<DeploymentForm*>(editor.form());
        QVERIFY(form != nullptr);
        QCOMPARE(editor.tabs()->currentIndex(), int(ObjectEditor::FormTab));

        // The name also names the labels and the selector while creating.
        typeInto(form->nameEdit(), QStringLiteral("web"));
        const json::object& o = editor.document()->object();
        QCOMPARE(at(o, "metadata.name"), json::value("web"));
        QCOMPARE(at(o, "metadata.labels.app"), json::value("web"));
        QCOMPARE(at(o, "spec.template.metadata.labels.app"), json::value("web"));
        QCOMPARE(at(o, "spec.selector.matchLabels.app"), json::value("web"));

        ContainerSection* main = container(form, 0);
        QVERIFY(main != nullptr);
        typeInto(main->imageEdit(), QStringLiteral("nginx:1.27"));
        QCOMPARE(at(o, "spec.template.spec.containers[0].image"), json::value("nginx:1.27"));

        // Replicas by keyboard.
        form->replicas()->setFocus();
        form->replicas()->selectAll();
        QTest::keyClicks(form->replicas(), QStringLiteral("3"));
        QCOMPARE(at(o, "spec.replicas"), json::value(3));

        // A port, an env var from a ConfigMap key, resources, a probe.
        click(main->ports()->addButton());
        QCOMPARE(main->ports()->count(), 1);
        typeInto(child<QLineEdit>(main->ports()->row(0), "containerPort"), QStringLiteral("8080"));
        QCOMPARE(at(o, "spec.template.spec.containers[0].ports[0].containerPort"),
                 json::value(8080));
        click(main->env()->addButton());
        QWidget* env = main->env()->row(0);
        typeInto(child<QLineEdit>(env, "envName"), QStringLiteral("DB_HOST"));
        choose(child<QComboBox>(env, "envSource"), EnvVarRow::ConfigMapKey);
        typeInto(child<QLineEdit>(env, "configMapName"), QStringLiteral("settings"));
        typeInto(child<QLineEdit>(env, "configMapKey"), QStringLiteral("db"));
        QCOMPARE(
            at(o, "spec.template.spec.containers[0].env[0]"),
            json::value(json::object{
                {"name", "DB_HOST"},
                {"valueFrom", json::object{{"configMapKeyRef",
                                            json::object{{"name", "settings"}, {"key", "db"}}}}}}));
        click(main->env()->addButton());
        QWidget* secretEnv = main->env()->row(1);
        typeInto(child<QLineEdit>(secretEnv, "envName"), QStringLiteral("DB_PASSWORD"));
        choose(child<QComboBox>(secretEnv, "envSource"), EnvVarRow::SecretKey);
        typeInto(child<QLineEdit>(secretEnv, "secretName"), QStringLiteral("db"));
        typeInto(child<QLineEdit>(secretEnv, "secretKey"), QStringLiteral("password"));
        QCOMPARE(at(o, "spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef.key"),
                 json::value("password"));
        typeInto(main->resourceEdit(QStringLiteral("requests"), QStringLiteral("cpu")),
                 QStringLiteral("250m"));
        typeInto(main->resourceEdit(QStringLiteral("limits"), QStringLiteral("memory")),
                 QStringLiteral("256Mi"));
        QCOMPARE(at(o, "spec.template.spec.containers[0].resources"),
                 json::value(json::object{{"requests", json::object{{"cpu", "250m"}}},
                                          {"limits", json::object{{"memory", "256Mi"}}}}));
        choose(main->readinessProbe()->kindCombo(), 1);
        typeInto(child<QLineEdit>(main->readinessProbe(), "probePath"), QStringLiteral("/ready"));
        typeInto(child<QLineEdit>(main->readinessProbe(), "probeHttpPort"), QStringLiteral("8080"));
        QCOMPARE(at(o, "spec.template.spec.containers[0].readinessProbe.httpGet"),
                 json::value(json::object{{"path", "/ready"}, {"port", 8080}}));

        // A volume, mounted by the container; a node selector; a toleration.
        PodTemplateSection* pod = form->podTemplate();
        click(pod->volumes()->addButton());
        choose(child<QComboBox>(pod->volumes()->row(0), "volumeSource"), VolumeRow::ConfigMap);
        typeInto(child<QLineEdit>(pod->volumes()->row(0), "configMapName"),
                 QStringLiteral("settings"));
        QCOMPARE(at(o, "spec.template.spec.volumes[0]"),
                 json::value(json::object{{"name", "volume-1"},
                                          {"configMap", json::object{{"name", "settings"}}}}));
        click(main->volumeMounts()->addButton());
        auto* volume = child<QComboBox>(main->volumeMounts()->row(0), "mountVolume");
        QCOMPARE(volume->count(), 1);
        QCOMPARE(volume->itemText(0), QStringLiteral("volume-1"));
        volume->setFocus();
        QTest::keyClicks(volume->lineEdit(), QStringLiteral("volume-1"));
        typeInto(child<QLineEdit>(main->volumeMounts()->row(0), "mountPath"),
                 QStringLiteral("/etc/settings"));
        QCOMPARE(at(o, "spec.template.spec.containers[0].volumeMounts[0]"),
                 json::value(json::object{{"name", "volume-1"}, {"mountPath", "/etc/settings"}}));
        pod->nodeSelector()->setEntry(QStringLiteral("disk"), QStringLiteral("ssd"));
        QCOMPARE(at(o, "spec.template.spec.nodeSelector"),
                 json::value(json::object{{"disk", "ssd"}}));
        click(pod->tolerations()->addButton());
        typeInto(child<QLineEdit>(pod->tolerations()->row(0), "tolerationKey"),
                 QStringLiteral("dedicated"));
        QCOMPARE(at(o, "spec.template.spec.tolerations[0].key"), json::value("dedicated"));

        // Recreate drops the rolling-update parameters.
        typeInto(child<QLineEdit>(form->strategy(), "maxSurge"), QStringLiteral("50%"));
        QCOMPARE(at(o, "spec.strategy.rollingUpdate.maxSurge"), json::value("50%"));
        choose(child<QComboBox>(form->strategy(), "strategyType"), 1);
        QCOMPARE(at(o, "spec.strategy"), json::value(json::object{{"type", "Recreate"}}));

        saveScreenshot(&editor, QStringLiteral("deploymentform-filled"));

        // The YAML tab shows the same object.
        editor.tabs()->setCurrentIndex(ObjectEditor::YamlTab);
        const QString yaml = editor.yamlView()->editor()->toPlainText();
        auto reparsed = pilot::kube::parseYaml(yaml.toStdString());
        QVERIFY(reparsed);
        QVERIFY(pilot::kube::jsonEqual(*reparsed, o));
        QVERIFY(yaml.contains(QStringLiteral("image: nginx:1.27")));
        saveScreenshot(&editor, QStringLiteral("deploymentform-yaml"));

        // "Also create a Service": its ports come from the containers.
        QVERIFY(form->companionObjects().isEmpty());
        form->createService()->setChecked(true);
        const QList<json::object> extra = form->companionObjects();
        QCOMPARE(extra.size(), 1);
        QCOMPARE(at(extra.first(), "kind"), json::value("Service"));
        QCOMPARE(at(extra.first(), "spec.selector"), json::value(json::object{{"app", "web"}}));
        QCOMPARE(at(extra.first(), "spec.ports[0].port"), json::value(8080));
        QCOMPARE(at(extra.first(), "spec.ports[0].name"), json::value("tcp-8080"));
    }

    void yamlEditsShowInForm() {
        ObjectEditor editor(nullptr);
        editor.resize(900, 800);
        editor.show();
        editor.createNew(QStringLiteral("Deployment"), QStringLiteral("default"));
        auto* form = qobject_cast<DeploymentForm*>(editor.form());
        editor.tabs()->setCurrentIndex(ObjectEditor::YamlTab);
        YamlEditor* yaml = editor.yamlView()->editor();
        yaml->setPlainText(QString::fromUtf8(LiveDeployment)
                               .replace(QStringLiteral("nginx:1.25"), QStringLiteral("nginx:1.26"))
                               .replace(QStringLiteral("replicas: 2\n  minReady"),
                                        QStringLiteral("replicas: 7\n  minReady")));
        // The form follows once the text is parsed (after a pause in typing).
        QTRY_COMPARE(container(form, 0) ? container(form, 0)->imageEdit()->text() : QString(),
                     QStringLiteral("nginx:1.26"));
        QCOMPARE(form->replicas()->value(), 7);
        QCOMPARE(form->nameEdit()->text(), QStringLiteral("web"));
        QCOMPARE(container(form, 0)->env()->count(), 2);
        // The fieldRef variable is shown as "other source", not lost.
        QCOMPARE(child<QComboBox>(container(form, 0)->env()->row(0), "envSource")->currentIndex(),
                 int(EnvVarRow::Other));
        QCOMPARE(child<QLineEdit>(container(form, 0)->ports()->row(0), "portName")->text(),
                 QStringLiteral("http"));

        // Text that does not parse: the form keeps the last good state and is disabled.
        QTextCursor cursor(yaml->document());
        cursor.movePosition(QTextCursor::End);
        cursor.insertText(QStringLiteral("  bad: [unclosed\n"));
        QTRY_VERIFY(!editor.document()->isTextValid());
        QVERIFY(!form->isEnabled());
        QCOMPARE(container(form, 0)->imageEdit()->text(), QStringLiteral("nginx:1.26"));
        yaml->undo();
        QTRY_VERIFY(editor.document()->isTextValid());
        QVERIFY(form->isEnabled());
        editor.tabs()->setCurrentIndex(ObjectEditor::FormTab);
        saveScreenshot(&editor, QStringLiteral("deploymentform-from-yaml"));
    }

    void unknownFieldsSurviveFormEdits() {
        ObjectEditor editor(nullptr);
        editor.resize(900, 900);
        editor.show();
        const json::object original = parse(LiveDeployment);
        editor.editObject(original);
        auto* form = qobject_cast<DeploymentForm*>(editor.form());
        QVERIFY(form);
        // Loading a live object changes nothing.
        QVERIFY(pilot::kube::jsonEqual(editor.document()->object(), original));
        QVERIFY(form->nameEdit()->isReadOnly());
        QVERIFY(!form->createService()->isVisible());

        // An edit undone by hand gives back exactly the object.
        ContainerSection* main = container(form, 0);
        main->imageEdit()->setFocus();
        main->imageEdit()->end(false);
        QTest::keyClick(main->imageEdit(), Qt::Key_9);
        QCOMPARE(at(editor.document()->object(), "spec.template.spec.containers[0].image"),
                 json::value("nginx:1.259"));
        QTest::keyClick(main->imageEdit(), Qt::Key_Backspace);
        QVERIFY(pilot::kube::jsonEqual(editor.document()->object(), original));

        // Several edits; everything else stays as it was.
        typeInto(main->imageEdit(), QStringLiteral("nginx:1.27"));
        click(main->ports()->addButton());
        QCOMPARE(main->ports()->count(), 2);
        typeInto(child<QLineEdit>(main->ports()->row(1), "containerPort"), QStringLiteral("443"));
        typeInto(child<QLineEdit>(main->env()->row(1), "envValue"), QStringLiteral("slow"));
        click(form->podTemplate()->tolerations()->addButton());
        click(child<QToolButton>(form->podTemplate()->tolerations(), "removeRow"));
        choose(child<QComboBox>(form->podTemplate()->volumes()->row(0), "volumeSource"),
               VolumeRow::EmptyDir); // already emptyDir: nothing changes
        const json::object& now = editor.document()->object();
        json::object expected = original;
        auto set = [&](const char* path, json::value v) {
            *FieldPath::parse(QString::fromLatin1(path)).ensure(expected) = std::move(v);
        };
        set("spec.template.spec.containers[0].image", "nginx:1.27");
        set("spec.template.spec.containers[0].ports[1]",
            json::object{{"containerPort", 443}, {"protocol", "TCP"}});
        set("spec.template.spec.containers[0].env[1].value", "slow");
        QVERIFY2(pilot::kube::jsonEqual(now, expected), pilot::kube::toYaml(now).c_str());
        QCOMPARE(at(now, "spec.template.spec.containers[0].x-custom-field"),
                 json::value("keep me"));
        QCOMPARE(at(now, "status.replicas"), json::value(2));
    }

    void removingItemsShiftsRows() {
        ObjectEditor editor(nullptr);
        editor.show();
        editor.editObject(parse(LiveDeployment));
        auto* form = qobject_cast<DeploymentForm*>(editor.form());
        ContainerSection* main = container(form, 0);
        QCOMPARE(main->env()->count(), 2);
        // Remove the first variable: the row that showed MODE now shows it at index 0.
        click(child<QToolButton>(main->env()->row(0)->parentWidget(), "removeRow"));
        QCOMPARE(main->env()->count(), 1);
        QCOMPARE(child<QLineEdit>(main->env()->row(0), "envName")->text(), QStringLiteral("MODE"));
        QCOMPARE(at(editor.document()->object(), "spec.template.spec.containers[0].env"),
                 json::value(json::array{json::object{{"name", "MODE"}, {"value", "fast"}}}));
        // Removing the last one removes the list.
        click(child<QToolButton>(main->env()->row(0)->parentWidget(), "removeRow"));
        QCOMPARE(main->env()->count(), 0);
        QVERIFY(at(editor.document()->object(), "spec.template.spec.containers[0].env").is_null());
    }

    void invalidInputIsShownInline() {
        ObjectEditor editor(nullptr);
        editor.resize(900, 700);
        editor.show();
        editor.createNew(QStringLiteral("Deployment"), QStringLiteral("default"));
        auto* form = qobject_cast<DeploymentForm*>(editor.form());
        typeInto(form->nameEdit(), QStringLiteral("Web_1"));
        ContainerSection* main = container(form, 0);
        typeInto(main->resourceEdit(QStringLiteral("limits"), QStringLiteral("cpu")),
                 QStringLiteral("2 cores"));
        QStringList errors = form->validationErrors();
        QCOMPARE(errors.size(), 3); // name, quantity, image required
        // The messages are next to their fields.
        int visible = 0;
        for (QLabel* message : form->findChildren<QLabel*>(QStringLiteral("fieldMessage"))) {
            visible += message->isVisible() && !message->text().isEmpty() ? 1 : 0;
        }
        QCOMPARE(visible, 3);
        // Preview refuses and says why, without a request (there is no applier to call).
        click(editor.previewButton());
        QVERIFY(!editor.bannerText().isEmpty());
        saveScreenshot(&editor, QStringLiteral("deploymentform-invalid"));
        typeInto(form->nameEdit(), QStringLiteral("web-1"));
        typeInto(main->resourceEdit(QStringLiteral("limits"), QStringLiteral("cpu")),
                 QStringLiteral("2"));
        typeInto(main->imageEdit(), QStringLiteral("busybox"));
        QVERIFY(form->validationErrors().isEmpty());
    }
};

QTEST_MAIN(TestDeploymentForm)
#include "tst_deploymentform.moc"
