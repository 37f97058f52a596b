// Per-kind models over fixture objects: every model passes QAbstractItemModelTester through a
// list, updates, deletes and a re-list; status texts and health follow kubectl's rules; updates
// are incremental (no resets); the filter/sort proxy filters by namespace, text and label
// selector and sorts on record values.

#include "gui/models/clustersession.h"
#include "gui/models/deploymentmodel.h"
#include "gui/models/eventmodel.h"
#include "gui/models/labelfilter.h"
#include "gui/models/nodemodel.h"
#include "gui/models/podmodel.h"
#include "gui/models/resourcefilterproxy.h"
#include "gui/models/tablemodel.h"

#include "kube/yaml.h"

#include <boost/json/serialize.hpp>

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace pilot::gui;

namespace {

QJsonObject yaml(const char* text) {
    auto parsed = pilot::kube::parseYaml(text);
    if (!parsed) {
        qFatal("bad fixture: %s", parsed.error().message.c_str());
    }
    return QJsonDocument::fromJson(QByteArray::fromStdString(boost::json::serialize(*parsed)))
        .object();
}

QJsonObject withName(QJsonObject object, const QString& ns, const QString& name,
                     const QString& rv = QStringLiteral("1")) {
    QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    meta.insert(QStringLiteral("name"), name);
    if (!ns.isEmpty()) {
        meta.insert(QStringLiteral("namespace"), ns);
    }
    meta.insert(QStringLiteral("resourceVersion"), rv);
    meta.insert(QStringLiteral("uid"), QString(ns + name));
    meta.insert(QStringLiteral("creationTimestamp"), QStringLiteral("2024-01-01T00:00:00Z"));
    object.insert(QStringLiteral("metadata"), meta);
    return object;
}

RecordBatch upserts(const RecordDecoder& decoder, const QList<QJsonObject>& objects) {
    RecordBatch batch;
    for (const QJsonObject& object : objects) {
        batch.upserts.append(decoder(object));
    }
    return batch;
}

const char* const RunningPod = R"(
metadata: {labels: {app: web, tier: front}}
spec: {nodeName: node-1, containers: [{name: c, image: nginx:1.25}]}
status:
  phase: Running
  podIP: 10.0.0.5
  conditions: [{type: Ready, status: "True"}]
  containerStatuses: [{name: c, ready: true, restartCount: 2, state: {running: {}}}]
)";

/// A minimal object of each kind (the name is set per row).
QJsonObject fixtureFor(const ResourceType& type) {
    const QString id = type.id();
    if (id == ResourceType::pods().id()) {
        return yaml(RunningPod);
    }
    if (id == ResourceType::deployments().id()) {
        return yaml("spec: {replicas: 2, selector: {matchLabels: {app: web}}, template: {spec: "
                    "{containers: [{name: c, image: nginx}]}}}\n"
                    "status: {replicas: 2, readyReplicas: 2, updatedReplicas: 2, "
                    "availableReplicas: 2}");
    }
    if (id == ResourceType::nodes().id()) {
        return yaml("status: {capacity: {cpu: '4', memory: 8Gi, pods: '110'}, conditions: "
                    "[{type: Ready, status: 'True'}], nodeInfo: {kubeletVersion: v1.32.0}}");
    }
    if (id == ResourceType::events().id()) {
        return yaml("type: Warning\nreason: BackOff\nmessage: back-off restarting\ncount: 3\n"
                    "involvedObject: {kind: Pod, name: web-1, namespace: default}\n"
                    "lastTimestamp: '2024-01-01T00:00:00Z'");
    }
    if (id == ResourceType::services().id()) {
        return yaml("spec: {type: NodePort, clusterIP: 10.96.0.10, ports: [{port: 80, nodePort: "
                    "30080, protocol: TCP}], selector: {app: web}}");
    }
    return yaml("{}");
}

} // namespace

class ModelsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyModelPassesTheTester_data() {
        QTest::addColumn<ResourceType>("type");
        for (const ResourceType& type :
             {ResourceType::pods(), ResourceType::deployments(), ResourceType::statefulSets(),
              ResourceType::daemonSets(), ResourceType::jobs(), ResourceType::cronJobs(),
              ResourceType::services(), ResourceType::ingresses(), ResourceType::configMaps(),
              ResourceType::secrets(), ResourceType::persistentVolumeClaims(),
              ResourceType::persistentVolumes(), ResourceType::storageClasses(),
              ResourceType::nodes(), ResourceType::namespaces(), ResourceType::events()}) {
            QTest::newRow(qPrintable(type.kind)) << type;
        }
    }
    void everyModelPassesTheTester() {
        QFETCH(ResourceType, type);
        std::unique_ptr<ResourceModel> model(ClusterSession::createModel(type));
        QCOMPARE(model->resourceType().kind, type.kind);
        QAbstractItemModelTester tester(model.get(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        ResourceFilterProxy proxy;
        proxy.setSourceModel(model.get());
        proxy.sort(0);
        QAbstractItemModelTester proxyTester(
            &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(model.get(), &QAbstractItemModel::modelReset);
        QSignalSpy changes(model.get(), &QAbstractItemModel::dataChanged);

        QString ns = type.namespaced ? QStringLiteral("default") : QString();
        QJsonObject base = fixtureFor(type);
        RecordDecoder decode = model->decoder();
        QList<QJsonObject> first;
        for (int i = 0; i < 5; ++i) {
            first << withName(base, ns, QStringLiteral("obj-%1").arg(i));
        }
        RecordBatch list = upserts(decode, first);
        model->applyBatch(list);
        QCOMPARE(model->rowCount(), 5);
        QCOMPARE(proxy.rowCount(), 5);
        for (int column = 0; column < model->columnCount(); ++column) {
            QVERIFY(!model->headerData(column, Qt::Horizontal).toString().isEmpty());
            QVERIFY(model->data(model->index(0, column)).isValid());
        }
        QModelIndex first0 = model->index(0, 0);
        QCOMPARE(model->data(first0, ResourceModel::NameRole).toString(), QStringLiteral("obj-0"));
        QCOMPARE(model->data(first0, ResourceModel::KeyRole).toString(),
                 ns.isEmpty() ? QStringLiteral("obj-0") : QStringLiteral("default/obj-0"));
        if (type.id() != ResourceType::events().id()) {
            QCOMPARE(model->data(first0, ResourceModel::RawObjectRole)
                         .toJsonObject()
                         .value(QLatin1String("metadata"))
                         .toObject()
                         .value(QLatin1String("name"))
                         .toString(),
                     QStringLiteral("obj-0"));
        }
        QVERIFY(model->data(first0, ResourceModel::RecordRole).value<RecordPtr>());

        // An update changes one row in place.
        RecordBatch update =
            upserts(decode, {withName(base, ns, QStringLiteral("obj-3"), QStringLiteral("2"))});
        model->applyBatch(update);
        QCOMPARE(model->rowCount(), 5);
        QCOMPARE(changes.count(), 1);
        QCOMPARE(changes.first().at(0).toModelIndex().row(), 3);
        QCOMPARE(model->record(3)->resourceVersion, QStringLiteral("2"));

        // Deletes and inserts in one batch.
        RecordBatch mixed = upserts(decode, {withName(base, ns, QStringLiteral("obj-9"))});
        mixed.removed << model->record(1)->key() << model->record(2)->key()
                      << QStringLiteral("default/never-seen");
        model->applyBatch(mixed);
        QCOMPARE(model->rowCount(), 4);
        QVERIFY(model->rowOfKey(model->record(0)->key()) == 0);
        QVERIFY(model->recordByKey(ns.isEmpty() ? QStringLiteral("obj-9")
                                                : QStringLiteral("default/obj-9")));

        // A re-list that no longer holds obj-0 removes it and keeps the others.
        RecordBatch relist = upserts(decode, {withName(base, ns, QStringLiteral("obj-3")),
                                              withName(base, ns, QStringLiteral("obj-4")),
                                              withName(base, ns, QStringLiteral("obj-9"))});
        relist.listComplete = QSet<QString>();
        for (const RecordPtr& record : relist.upserts) {
            relist.listComplete->insert(record->key());
        }
        model->applyBatch(relist);
        QCOMPARE(model->rowCount(), 3);
        QCOMPARE(proxy.rowCount(), 3);
        QCOMPARE(resets.count(), 0);
    }

    void podStatusFollowsKubectl_data() {
        QTest::addColumn<QByteArray>("fixture");
        QTest::addColumn<QString>("status");
        QTest::addColumn<QString>("ready");
        QTest::addColumn<int>("restarts");
        QTest::addColumn<Health>("health");
        QTest::newRow("running") << QByteArray(RunningPod) << QStringLiteral("Running")
                                 << QStringLiteral("1/1") << 2 << Health::Ok;
        QTest::newRow("crash loop")
            << QByteArray("spec: {containers: [{name: c}]}\nstatus: {phase: Running, "
                          "containerStatuses: [{name: c, ready: false, restartCount: 7, state: "
                          "{waiting: {reason: CrashLoopBackOff}}}]}")
            << QStringLiteral("CrashLoopBackOff") << QStringLiteral("0/1") << 7 << Health::Error;
        QTest::newRow("init")
            << QByteArray("spec: {initContainers: [{name: i}], containers: [{name: c}]}\n"
                          "status: {phase: Pending, initContainerStatuses: [{name: i, state: "
                          "{running: {}}}]}")
            << QStringLiteral("Init:0/1") << QStringLiteral("0/1") << 0 << Health::Progressing;
        QTest::newRow("completed")
            << QByteArray("spec: {containers: [{name: c}]}\nstatus: {phase: Succeeded, "
                          "containerStatuses: [{name: c, ready: false, state: {terminated: "
                          "{exitCode: 0, reason: Completed}}}]}")
            << QStringLiteral("Completed") << QStringLiteral("0/1") << 0 << Health::Ok;
        QTest::newRow("pending") << QByteArray("spec: {containers: [{name: c}]}\nstatus: {phase: "
                                               "Pending}")
                                 << QStringLiteral("Pending") << QStringLiteral("0/1") << 0
                                 << Health::Progressing;
        QTest::newRow("terminating")
            << QByteArray("metadata: {deletionTimestamp: '2024-01-01T00:00:00Z'}\n") +
                   QByteArray(RunningPod).mid(QByteArray(RunningPod).indexOf("spec:"))
            << QStringLiteral("Terminating") << QStringLiteral("1/1") << 2 << Health::Progressing;
    }
    void podStatusFollowsKubectl() {
        QFETCH(QByteArray, fixture);
        QFETCH(QString, status);
        QFETCH(QString, ready);
        QFETCH(int, restarts);
        QFETCH(Health, health);
        PodModel model;
        model.applyBatch(upserts(
            PodModel::decode,
            {withName(yaml(fixture.constData()), QStringLiteral("default"), QStringLiteral("p"))}));
        QCOMPARE(model.data(model.index(0, PodModel::Status)).toString(), status);
        QCOMPARE(model.data(model.index(0, PodModel::Ready)).toString(), ready);
        QCOMPARE(model.data(model.index(0, PodModel::Restarts)).toInt(), restarts);
        QCOMPARE(model.data(model.index(0, 0), ResourceModel::HealthRole).value<Health>(), health);
        QCOMPARE(model.data(model.index(0, PodModel::Status), Qt::ForegroundRole).value<QColor>(),
                 healthColor(health));
    }

    void deploymentHealth() {
        DeploymentModel model;
        QJsonObject ok = withName(fixtureFor(ResourceType::deployments()), QStringLiteral("d"),
                                  QStringLiteral("ok"));
        QJsonObject rolling = yaml("spec: {replicas: 3}\nstatus: {replicas: 3, readyReplicas: 1, "
                                   "updatedReplicas: 1, availableReplicas: 1}");
        QJsonObject failed =
            yaml("spec: {replicas: 1}\nstatus: {conditions: [{type: Progressing, status: 'False', "
                 "reason: ProgressDeadlineExceeded}]}");
        model.applyBatch(
            upserts(DeploymentModel::decode,
                    {ok, withName(rolling, QStringLiteral("d"), QStringLiteral("roll")),
                     withName(failed, QStringLiteral("d"), QStringLiteral("bad"))}));
        auto healthOf = [&](const QString& name) {
            return model
                .data(model.index(model.rowOfKey(QStringLiteral("d/") + name), 0),
                      ResourceModel::HealthRole)
                .value<Health>();
        };
        QCOMPARE(healthOf(QStringLiteral("ok")), Health::Ok);
        QCOMPARE(healthOf(QStringLiteral("roll")), Health::Progressing);
        QCOMPARE(healthOf(QStringLiteral("bad")), Health::Error);
        QCOMPARE(model.data(model.index(0, DeploymentModel::Ready)).toString(),
                 QStringLiteral("2/2"));
    }

    void nodeStatusShowsCordon() {
        NodeModel model;
        QJsonObject node = withName(fixtureFor(ResourceType::nodes()), {}, QStringLiteral("n1"));
        QJsonObject spec{{QStringLiteral("unschedulable"), true}};
        node.insert(QStringLiteral("spec"), spec);
        model.applyBatch(upserts(NodeModel::decode, {node}));
        QCOMPARE(model.data(model.index(0, NodeModel::Status)).toString(),
                 QStringLiteral("Ready,SchedulingDisabled"));
        QCOMPARE(model.data(model.index(0, NodeModel::Cpu)).toString(), QStringLiteral("4.00"));
        QCOMPARE(model.data(model.index(0, NodeModel::Memory)).toString(),
                 QStringLiteral("8.0 GiB"));
        QCOMPARE(model.data(model.index(0, 0), ResourceModel::HealthRole).value<Health>(),
                 Health::Warning);
    }

    void tableModelUsesServerColumns() {
        TableModel model(ResourceType::configMaps());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QJsonArray columns = yaml("c: [{name: Name, type: string, priority: 0}, {name: Data, "
                                  "type: integer, priority: 0}, {name: Hidden, type: string, "
                                  "priority: 1}, {name: Age, type: string, priority: 0}]")
                                 .value(QLatin1String("c"))
                                 .toArray();
        model.setColumnDefinitions(columns);
        QCOMPARE(model.columnCount(), 4); // Name, Namespace (added), Data, Age
        QCOMPARE(model.headerData(2, Qt::Horizontal).toString(), QStringLiteral("Data"));
        QJsonObject row = yaml("cells: [cm1, 3, secret, 5s]\nobject: {metadata: {name: cm1, "
                               "namespace: ns1, creationTimestamp: '2024-01-01T00:00:00Z'}}");
        model.applyBatch(upserts(TableModel::decode, {row}));
        QCOMPARE(model.data(model.index(0, 0)).toString(), QStringLiteral("cm1"));
        QCOMPARE(model.data(model.index(0, 1)).toString(), QStringLiteral("ns1"));
        QCOMPARE(model.data(model.index(0, 2)).toString(), QStringLiteral("3"));
        // The age is computed from the creation time, not the server's text of that moment.
        QString age = model.data(model.index(0, 3)).toString();
        QVERIFY2(age != QLatin1String("5s") && age.endsWith(QLatin1Char('y')), qPrintable(age));
    }

    void proxyFiltersAndSorts() {
        PodModel model;
        ResourceFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QJsonObject pod = yaml(RunningPod);
        QJsonObject other = yaml("metadata: {labels: {app: db}}\nspec: {containers: [{name: c}]}\n"
                                 "status: {phase: Running, containerStatuses: [{name: c, ready: "
                                 "true, restartCount: 9, state: {running: {}}}]}");
        model.applyBatch(upserts(PodModel::decode,
                                 {withName(pod, QStringLiteral("a"), QStringLiteral("web-1")),
                                  withName(pod, QStringLiteral("b"), QStringLiteral("web-2")),
                                  withName(other, QStringLiteral("a"), QStringLiteral("db-1"))}));
        proxy.sort(PodModel::Restarts, Qt::DescendingOrder);
        QCOMPARE(proxy.data(proxy.index(0, PodModel::Name)).toString(), QStringLiteral("db-1"));
        proxy.setNamespaceFilter(QStringLiteral("a"));
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setTextFilter(QStringLiteral("WEB"));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setTextFilter(QString());
        QCOMPARE(proxy.setLabelFilter(QStringLiteral("app in (web),tier")), QString());
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.recordAt(0)->name, QStringLiteral("web-1"));
        QVERIFY(!proxy.setLabelFilter(QStringLiteral("app in (")).isEmpty());
        QCOMPARE(proxy.rowCount(), 1); // an invalid selector keeps the previous one
        proxy.setLabelFilter(QStringLiteral("app!=web"));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.recordAt(0)->name, QStringLiteral("db-1"));
        proxy.setNamespaceFilter(QString());
        proxy.setLabelFilter(QString());
        // A live update re-sorts: web-2 now restarts most.
        QJsonObject crashy = withName(other, QStringLiteral("b"), QStringLiteral("web-2"));
        QJsonObject status = crashy.value(QLatin1String("status")).toObject();
        QJsonArray statuses = status.value(QLatin1String("containerStatuses")).toArray();
        QJsonObject c = statuses.at(0).toObject();
        c.insert(QStringLiteral("restartCount"), 20);
        statuses.replace(0, c);
        status.insert(QStringLiteral("containerStatuses"), statuses);
        crashy.insert(QStringLiteral("status"), status);
        model.applyBatch(upserts(PodModel::decode, {crashy}));
        QCOMPARE(proxy.data(proxy.index(0, PodModel::Name)).toString(), QStringLiteral("web-2"));
    }

    void labelFilterGrammar_data() {
        QTest::addColumn<QString>("selector");
        QTest::addColumn<bool>("matches");
        QTest::newRow("empty") << QString() << true;
        QTest::newRow("equals") << QStringLiteral("app=web") << true;
        QTest::newRow("double equals") << QStringLiteral("app==db") << false;
        QTest::newRow("not equals missing key") << QStringLiteral("zone!=a") << true;
        QTest::newRow("in") << QStringLiteral("tier in (back,front)") << true;
        QTest::newRow("notin") << QStringLiteral("tier notin (front)") << false;
        QTest::newRow("exists") << QStringLiteral("app") << true;
        QTest::newRow("not exists") << QStringLiteral("!app") << false;
        QTest::newRow("gt") << QStringLiteral("weight>3") << true;
        QTest::newRow("lt") << QStringLiteral("weight<3") << false;
        QTest::newRow("and") << QStringLiteral("app=web,tier=back") << false;
        QTest::newRow("in and exists") << QStringLiteral("tier in (back),app") << false;
        QTest::newRow("in and exists match") << QStringLiteral("tier in (front),app") << true;
    }
    void labelFilterGrammar() {
        QFETCH(QString, selector);
        QFETCH(bool, matches);
        auto filter = LabelFilter::parse(selector);
        QVERIFY2(filter.has_value(), qPrintable(filter.error()));
        Labels labels{{QStringLiteral("app"), QStringLiteral("web")},
                      {QStringLiteral("tier"), QStringLiteral("front")},
                      {QStringLiteral("weight"), QStringLiteral("5")}};
        QCOMPARE(filter->matches(labels), matches);
    }

    void packedJsonRoundTripsAndIsSmall() {
        QJsonObject first =
            withName(yaml(RunningPod), QStringLiteral("default"), QStringLiteral("a"));
        QJsonObject second =
            withName(yaml(RunningPod), QStringLiteral("other"), QStringLiteral("b"));
        auto a = PodModel::decode(first);
        auto b = PodModel::decode(second);
        QCOMPARE(b->json()
                     .value(QLatin1String("metadata"))
                     .toObject()
                     .value(QLatin1String("name"))
                     .toString(),
                 QStringLiteral("b"));
        QCOMPARE(a->json(), first);
        // Objects of a kind share a dictionary: the second one packs into a fraction of its text.
        QByteArray text = QJsonDocument(second).toJson(QJsonDocument::Compact);
        QVERIFY2(
            b->packedJson.data.size() * 3 < text.size(),
            qPrintable(QStringLiteral("%1 of %2").arg(b->packedJson.data.size()).arg(text.size())));
        QVERIFY(JsonPacker::unpack({b->packedJson.dictionary, QByteArray("xx")}).isEmpty());
    }

    void labelFilterErrorsAsTheServer() {
        auto filter = LabelFilter::parse(QStringLiteral("app in ("));
        QVERIFY(!filter.has_value());
        QVERIFY2(filter.error().contains(QLatin1String("unable to parse requirement")) ||
                     filter.error().contains(QLatin1String("expected")),
                 qPrintable(filter.error()));
    }
};

QTEST_GUILESS_MAIN(ModelsTest)
#include "tst_models.moc"
