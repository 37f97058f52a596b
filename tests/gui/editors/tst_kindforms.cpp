// The forms of StatefulSet, DaemonSet, Job, CronJob, Service, Ingress, ConfigMap, Secret,
// PersistentVolumeClaim and HorizontalPodAutoscaler: each starts a valid object, shows a live one
// without changing it, and writes exactly what the user edits.
#include "gui/editors/configmapform.h"
#include "gui/editors/containersection.h"
#include "gui/editors/cronjobform.h"
#include "gui/editors/formfactory.h"
#include "gui/editors/ingressform.h"
#include "gui/editors/keyvaluetable.h"
#include "gui/editors/kindform.h"
#include "gui/editors/objectdocument.h"
#include "gui/editors/objecteditor.h"
#include "gui/editors/podtemplatesection.h"
#include "gui/editors/recordlist.h"
#include "gui/editors/secretform.h"
#include "gui/editors/serviceform.h"
#include "gui/editors/statefulsetform.h"
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

using namespace pilot::gui;
using pilot::gui::test::click;
using pilot::gui::test::saveScreenshot;
namespace json = boost::json;

namespace {

json::value at(const json::object& object, const QString& path) {
    const json::value* v = FieldPath::parse(path).find(object);
    return v ? *v : json::value();
}

void typeInto(QLineEdit* edit, const QString& text) {
    edit->setFocus();
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

void choose(QComboBox* combo, int index) {
    combo->setFocus();
    while (combo->currentIndex() < index) {
        QTest::keyClick(combo, Qt::Key_Down);
    }
    while (combo->currentIndex() > index) {
        QTest::keyClick(combo, Qt::Key_Up);
    }
}

void setSpin(QSpinBox* spin, int value) {
    spin->setFocus();
    spin->selectAll();
    QTest::keyClicks(spin, QString::number(value));
}

json::object parse(const QString& yaml) {
    auto parsed = pilot::kube::parseYaml(yaml.toStdString());
    return parsed && parsed->is_object() ? parsed->as_object() : json::object();
}

QString lines(std::initializer_list<const char*> items) {
    QString text;
    for (const char* item : items) {
        text += QString::fromUtf8(item) + QLatin1Char('\n');
    }
    return text;
}

/// Live objects with fields no form knows (`extra`, status...).
QString liveObject(const QString& kind) {
    if (kind == QLatin1String("StatefulSet")) {
        return lines(
            {"apiVersion: apps/v1", "kind: StatefulSet",
             "metadata: {name: db, namespace: default, uid: u1}", "spec:", "  replicas: 3",
             "  serviceName: db", "  extra: 1", "  selector: {matchLabels: {app: db}}",
             "  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 1}}",
             "  volumeClaimTemplates:", "  - metadata: {name: data}",
             "    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}",
             "  template:", "    metadata: {labels: {app: db}}",
             "    spec: {containers: [{name: db, image: postgres:16, extra: x}]}",
             "status: {replicas: 3}"});
    }
    if (kind == QLatin1String("DaemonSet")) {
        return lines({"apiVersion: apps/v1", "kind: DaemonSet",
                      "metadata: {name: agent, namespace: kube-system}",
                      "spec:", "  selector: {matchLabels: {app: agent}}",
                      "  updateStrategy: {type: OnDelete}",
                      "  template:", "    metadata: {labels: {app: agent}}",
                      "    spec:", "      hostNetwork: true",
                      "      containers: [{name: agent, image: agent:1}]"});
    }
    if (kind == QLatin1String("Job")) {
        return lines({"apiVersion: batch/v1", "kind: Job",
                      "metadata: {name: once, namespace: default}", "spec:", "  completions: 2",
                      "  podFailurePolicy: {rules: []}", "  template:",
                      "    spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}"});
    }
    if (kind == QLatin1String("CronJob")) {
        return lines(
            {"apiVersion: batch/v1", "kind: CronJob",
             "metadata: {name: nightly, namespace: default}", "spec:", "  schedule: '0 3 * * *'",
             "  concurrencyPolicy: Forbid", "  jobTemplate:", "    spec:", "      backoffLimit: 2",
             "      template:",
             "        spec: {restartPolicy: OnFailure, containers: [{name: c, image: x}]}"});
    }
    if (kind == QLatin1String("Service")) {
        return lines({"apiVersion: v1", "kind: Service",
                      "metadata: {name: web, namespace: default}",
                      "spec:", "  clusterIP: 10.96.0.20", "  clusterIPs: [10.96.0.20]",
                      "  type: ClusterIP", "  selector: {app: web}",
                      "  ports: [{name: http, port: 80, targetPort: 8080, protocol: TCP}]",
                      "  sessionAffinity: None"});
    }
    if (kind == QLatin1String("Ingress")) {
        return lines({"apiVersion: networking.k8s.io/v1", "kind: Ingress",
                      "metadata: {name: web, namespace: default, annotations: {a: b}}", "spec:",
                      "  rules:", "  - host: shop.example.com", "    http:", "      paths:",
                      "      - {path: /, pathType: Prefix, backend: {service: {name: web, port: "
                      "{number: 80}}}}",
                      "  tls: [{hosts: [shop.example.com], secretName: shop-tls}]"});
    }
    if (kind == QLatin1String("ConfigMap")) {
        return lines({"apiVersion: v1", "kind: ConfigMap",
                      "metadata: {name: settings, namespace: default}", "data:", "  mode: fast",
                      "  app.properties: |", "    a=1", "    b=2", "binaryData: {blob: AAEC}"});
    }
    if (kind == QLatin1String("Secret")) {
        return lines({"apiVersion: v1", "kind: Secret", "metadata: {name: db, namespace: default}",
                      "type: Opaque", "data:", "  password: czNjcjN0",
                      "  raw: /w==", "immutable: false"});
    }
    if (kind == QLatin1String("PersistentVolumeClaim")) {
        return lines({"apiVersion: v1", "kind: PersistentVolumeClaim",
                      "metadata: {name: data, namespace: default}", "spec:",
                      "  accessModes: [ReadWriteOnce]", "  resources: {requests: {storage: 5Gi}}",
                      "  volumeName: pv-1", "status: {phase: Bound}"});
    }
    return lines(
        {"apiVersion: autoscaling/v2", "kind: HorizontalPodAutoscaler",
         "metadata: {name: web, namespace: default}",
         "spec:", "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}",
         "  maxReplicas: 10", "  metrics:", "  - type: Pods",
         "    pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: '100'}}",
         "  behavior: {scaleDown: {stabilizationWindowSeconds: 60}}"});
}

} // namespace

class TestKindForms : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyKindHasAForm() {
        QCOMPARE(formKinds(),
                 (QStringList{QStringLiteral("Deployment"), QStringLiteral("StatefulSet"),
                              QStringLiteral("DaemonSet"), QStringLiteral("Job"),
                              QStringLiteral("CronJob"), QStringLiteral("Service"),
                              QStringLiteral("Ingress"), QStringLiteral("ConfigMap"),
                              QStringLiteral("Secret"), QStringLiteral("PersistentVolumeClaim"),
                              QStringLiteral("HorizontalPodAutoscaler")}));
    }

    void newObjects_data() {
        QTest::addColumn<QString>("kind");
        for (const QString& kind : formKinds()) {
            QTest::newRow(kind.toLatin1().constData()) << kind;
        }
    }
    void newObjects() {
        QFETCH(QString, kind);
        ObjectEditor editor(nullptr);
        editor.resize(900, 760);
        editor.show();
        editor.createNew(kind, QStringLiteral("team-a"));
        KindForm* form = editor.form();
        QVERIFY(form != nullptr);
        QCOMPARE(form->kind(), kind);
        const json::object& o = editor.document()->object();
        QCOMPARE(at(o, QStringLiteral("kind")), json::value(kind.toStdString()));
        QCOMPARE(at(o, QStringLiteral("apiVersion")),
                 json::value(form->apiVersion().toStdString()));
        QCOMPARE(form->namespaceEdit()->text(), QStringLiteral("team-a"));
        typeInto(form->nameEdit(), QStringLiteral("demo"));
        QCOMPARE(at(o, QStringLiteral("metadata.name")), json::value("demo"));
        // The YAML view shows the same object.
        auto reparsed =
            pilot::kube::parseYaml(editor.yamlView()->editor()->toPlainText().toStdString());
        QVERIFY(reparsed && pilot::kube::jsonEqual(*reparsed, o));
        saveScreenshot(&editor, QStringLiteral("form-new-") + kind.toLower());
    }

    void liveObjectsLoadUnchanged_data() { newObjects_data(); }
    void liveObjectsLoadUnchanged() {
        QFETCH(QString, kind);
        if (kind == QLatin1String("Deployment")) {
            QSKIP("covered by tst_deploymentform");
        }
        ObjectEditor editor(nullptr);
        editor.resize(900, 760);
        editor.show();
        const json::object live = parse(liveObject(kind));
        QVERIFY(!live.empty());
        editor.editObject(live);
        QVERIFY(editor.form() != nullptr);
        QVERIFY(pilot::kube::jsonEqual(editor.document()->object(), live));
        QCOMPARE(
            editor.form()->nameEdit()->text(),
            QString::fromStdString(at(live, QStringLiteral("metadata.name")).as_string().c_str()));
        saveScreenshot(&editor, QStringLiteral("form-live-") + kind.toLower());
    }

    void statefulSetEdits() {
        ObjectEditor editor(nullptr);
        editor.show();
        const json::object live = parse(liveObject(QStringLiteral("StatefulSet")));
        editor.editObject(live);
        auto* form = qobject_cast<StatefulSetForm*>(editor.form());
        setSpin(form->findChild<QSpinBox*>(QStringLiteral("replicas")), 5);
        typeInto(form->claimTemplates()->row(0)->findChild<QLineEdit*>(QStringLiteral("storage")),
                 QStringLiteral("20Gi"));
        choose(form->findChild<QComboBox*>(QStringLiteral("strategyType")), 1); // OnDelete
        json::object expected = live;
        *FieldPath::parse(QStringLiteral("spec.replicas")).ensure(expected) = 5;
        *FieldPath::parse(
             QStringLiteral("spec.volumeClaimTemplates[0].spec.resources.requests.storage"))
             .ensure(expected) = "20Gi";
        *FieldPath::parse(QStringLiteral("spec.updateStrategy")).ensure(expected) =
            json::object{{"type", "OnDelete"}};
        QVERIFY2(pilot::kube::jsonEqual(editor.document()->object(), expected),
                 pilot::kube::toYaml(editor.document()->object()).c_str());
        // The container editor is the same as the Deployment's.
        auto* container =
            qobject_cast<ContainerSection*>(form->podTemplate()->containers()->row(0));
        QCOMPARE(container->imageEdit()->text(), QStringLiteral("postgres:16"));
    }

    void cronJobSchedule() {
        ObjectEditor editor(nullptr);
        editor.show();
        editor.createNew(QStringLiteral("CronJob"), QStringLiteral("default"));
        auto* form = qobject_cast<CronJobForm*>(editor.form());
        auto* schedule = form->findChild<QLineEdit*>(QStringLiteral("schedule"));
        QCOMPARE(schedule->text(), QStringLiteral("*/5 * * * *"));
        typeInto(schedule, QStringLiteral("every hour"));
        QVERIFY(!form->validationErrors().isEmpty());
        typeInto(schedule, QStringLiteral("0 * * * *"));
        typeInto(form->nameEdit(), QStringLiteral("hourly"));
        auto* image =
            qobject_cast<ContainerSection*>(form->podTemplate()->containers()->row(0))->imageEdit();
        typeInto(image, QStringLiteral("busybox"));
        QVERIFY(form->validationErrors().isEmpty());
        const json::object& o = editor.document()->object();
        QCOMPARE(at(o, QStringLiteral("spec.schedule")), json::value("0 * * * *"));
        QCOMPARE(at(o, QStringLiteral("spec.jobTemplate.spec.template.spec.containers[0].image")),
                 json::value("busybox"));
        QCOMPARE(at(o, QStringLiteral("spec.jobTemplate.spec.template.spec.restartPolicy")),
                 json::value("Never"));
        choose(form->podTemplate()->findChild<QComboBox*>(QStringLiteral("restartPolicy")), 1);
        QCOMPARE(at(o, QStringLiteral("spec.jobTemplate.spec.template.spec.restartPolicy")),
                 json::value("OnFailure"));
        // CronJob pods carry no selector.
        QVERIFY(at(o, QStringLiteral("spec.selector")).is_null());
    }

    void serviceEdits() {
        ObjectEditor editor(nullptr);
        editor.show();
        const json::object live = parse(liveObject(QStringLiteral("Service")));
        editor.editObject(live);
        auto* form = qobject_cast<ServiceForm*>(editor.form());
        // The cluster IP is fixed once the Service exists.
        QVERIFY(!form->findChild<QCheckBox*>(QStringLiteral("headless"))->isEnabled());
        choose(form->findChild<QComboBox*>(QStringLiteral("type")), 1); // NodePort
        typeInto(form->ports()->row(0)->findChild<QLineEdit*>(QStringLiteral("targetPort")),
                 QStringLiteral("http"));
        typeInto(form->ports()->row(0)->findChild<QLineEdit*>(QStringLiteral("nodePort")),
                 QStringLiteral("30080"));
        json::object expected = live;
        *FieldPath::parse(QStringLiteral("spec.type")).ensure(expected) = "NodePort";
        *FieldPath::parse(QStringLiteral("spec.ports[0].targetPort")).ensure(expected) = "http";
        *FieldPath::parse(QStringLiteral("spec.ports[0].nodePort")).ensure(expected) = 30080;
        QVERIFY2(pilot::kube::jsonEqual(editor.document()->object(), expected),
                 pilot::kube::toYaml(editor.document()->object()).c_str());

        // A new headless Service.
        ObjectEditor fresh(nullptr);
        fresh.show();
        fresh.createNew(QStringLiteral("Service"), QStringLiteral("default"));
        auto* newForm = qobject_cast<ServiceForm*>(fresh.form());
        click(newForm->findChild<QCheckBox*>(QStringLiteral("headless")));
        QCOMPARE(at(fresh.document()->object(), QStringLiteral("spec.clusterIP")),
                 json::value("None"));
        typeInto(newForm->nameEdit(), QStringLiteral("1db"));
        QVERIFY(!newForm->validationErrors().isEmpty()); // Service names start with a letter
    }

    void ingressEdits() {
        ObjectEditor editor(nullptr);
        editor.resize(900, 700);
        editor.show();
        const json::object live = parse(liveObject(QStringLiteral("Ingress")));
        editor.editObject(live);
        auto* form = qobject_cast<IngressForm*>(editor.form());
        auto* rule = qobject_cast<IngressRuleRow*>(form->rules()->row(0));
        click(rule->paths()->addButton());
        QWidget* path = rule->paths()->row(1);
        typeInto(path->findChild<QLineEdit*>(QStringLiteral("path")), QStringLiteral("/api"));
        typeInto(path->findChild<QLineEdit*>(QStringLiteral("serviceName")), QStringLiteral("api"));
        typeInto(path->findChild<QLineEdit*>(QStringLiteral("servicePort")),
                 QStringLiteral("8080"));
        typeInto(form->findChild<QLineEdit*>(QStringLiteral("tlsHosts")),
                 QStringLiteral("shop.example.com, api.example.com"));
        const json::object& o = editor.document()->object();
        QCOMPARE(at(o, QStringLiteral("spec.rules[0].http.paths[1]")),
                 json::value(json::object{
                     {"path", "/api"},
                     {"pathType", "Prefix"},
                     {"backend",
                      json::object{
                          {"service", json::object{{"name", "api"},
                                                   {"port", json::object{{"number", 8080}}}}}}}}));
        QCOMPARE(at(o, QStringLiteral("spec.tls[0].hosts")),
                 json::value(json::array{"shop.example.com", "api.example.com"}));
        QCOMPARE(at(o, QStringLiteral("metadata.annotations.a")), json::value("b"));
        saveScreenshot(&editor, QStringLiteral("form-ingress-edited"));
    }

    void configMapPasteEnv() {
        ObjectEditor editor(nullptr);
        editor.resize(900, 700);
        editor.show();
        const json::object live = parse(liveObject(QStringLiteral("ConfigMap")));
        editor.editObject(live);
        auto* form = qobject_cast<ConfigMapForm*>(editor.form());
        KeyValueTable* data = form->data();
        QCOMPARE(data->entries().size(), 2);
        // Paste .env text through the paste panel.
        click(data->findChild<QPushButton*>(QStringLiteral("pasteToggle")));
        auto* paste = data->findChild<QPlainTextEdit*>(QStringLiteral("pasteText"));
        QVERIFY(paste->isVisible());
        paste->setFocus();
        paste->insertPlainText(QStringLiteral(
            "# settings\nexport MODE=slow\nGREETING=\"hello\\nworld\"\nlevel: debug\n"));
        saveScreenshot(&editor, QStringLiteral("form-configmap-paste"));
        click(data->findChild<QPushButton*>(QStringLiteral("pasteApply")));
        const json::object& o = editor.document()->object();
        QCOMPARE(at(o, QStringLiteral("data")),
                 json::value(json::object{{"mode", "fast"},
                                          {"app.properties", "a=1\nb=2\n"},
                                          {"MODE", "slow"},
                                          {"GREETING", "hello\nworld"},
                                          {"level", "debug"}}));
        QCOMPARE(at(o, QStringLiteral("binaryData.blob")), json::value("AAEC"));
        // A multi-line value is edited below the table.
        data->table()->setCurrentCell(1, 0);
        auto* value = data->findChild<QPlainTextEdit*>(QStringLiteral("valueEdit"));
        QCOMPARE(value->toPlainText(), QStringLiteral("a=1\nb=2\n"));
        value->setFocus();
        value->moveCursor(QTextCursor::End);
        QTest::keyClicks(value, QStringLiteral("c=3"));
        QCOMPARE(at(o, QStringLiteral("data[app.properties]")), json::value("a=1\nb=2\nc=3"));
    }

    void secretValuesAreDecoded() {
        ObjectEditor editor(nullptr);
        editor.resize(900, 600);
        editor.show();
        const json::object live = parse(liveObject(QStringLiteral("Secret")));
        editor.editObject(live);
        auto* form = qobject_cast<SecretForm*>(editor.form());
        const KeyValueTable::Entries entries = form->data()->entries();
        QCOMPARE(entries.size(), 2);
        QCOMPARE(entries.at(0).second, QStringLiteral("s3cr3t"));
        QVERIFY(entries.at(1).second.contains(QLatin1Char('1'))); // "(binary data, 1 bytes)"
        form->data()->setEntry(QStringLiteral("password"), QStringLiteral("n3w"));
        form->data()->setEntry(QStringLiteral("user"), QStringLiteral("admin"));
        const json::object& o = editor.document()->object();
        QCOMPARE(
            at(o, QStringLiteral("data")),
            json::value(json::object{{"password", "bjN3"}, {"raw", "/w=="}, {"user", "YWRtaW4="}}));
        QCOMPARE(at(o, QStringLiteral("immutable")), json::value(false));
        saveScreenshot(&editor, QStringLiteral("form-secret"));
    }

    void claimAccessModes() {
        ObjectEditor editor(nullptr);
        editor.show();
        const json::object live = parse(liveObject(QStringLiteral("PersistentVolumeClaim")));
        editor.editObject(live);
        KindForm* form = editor.form();
        click(form->findChild<QCheckBox*>(QStringLiteral("ReadOnlyMany")));
        click(form->findChild<QCheckBox*>(QStringLiteral("ReadWriteOnce")));
        const json::object& o = editor.document()->object();
        QCOMPARE(at(o, QStringLiteral("spec.accessModes")),
                 json::value(json::array{"ReadOnlyMany"}));
        typeInto(form->findChild<QLineEdit*>(QStringLiteral("storage")), QStringLiteral("ten"));
        QVERIFY(!form->validationErrors().isEmpty());
        QCOMPARE(at(o, QStringLiteral("spec.volumeName")), json::value("pv-1"));
    }

    void autoscalerMetrics() {
        ObjectEditor editor(nullptr);
        editor.show();
        const json::object live = parse(liveObject(QStringLiteral("HorizontalPodAutoscaler")));
        editor.editObject(live);
        KindForm* form = editor.form();
        auto* cpu = form->findChild<QSpinBox*>(QStringLiteral("cpuUtilization"));
        QCOMPARE(cpu->value(), 0); // not used yet
        setSpin(cpu, 70);
        const json::object& o = editor.document()->object();
        QCOMPARE(at(o, QStringLiteral("spec.metrics")).as_array().size(), 2u);
        QCOMPARE(at(o, QStringLiteral("spec.metrics[1].resource.target.averageUtilization")),
                 json::value(70));
        QCOMPARE(at(o, QStringLiteral("spec.metrics[0].type")), json::value("Pods"));
        cpu->setFocus();
        cpu->selectAll();
        QTest::keyClick(cpu, Qt::Key_0);
        QCOMPARE(at(o, QStringLiteral("spec.metrics")).as_array().size(), 1u);
        QCOMPARE(at(o, QStringLiteral("spec.behavior.scaleDown.stabilizationWindowSeconds")),
                 json::value(60));
    }
};

QTEST_MAIN(TestKindForms)
#include "tst_kindforms.moc"
