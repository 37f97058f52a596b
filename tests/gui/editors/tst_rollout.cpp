// Rollout history against a real engine with simulated nodes: revisions with change-causes and
// images, the diff of two revisions, rollback as kubectl does it, live progress.
#include "gui/editors/diffview.h"
#include "gui/rollout/rollouthistory.h"
#include "gui/rollout/rollouthistorywidget.h"
#include "kube/client/httpclient.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"
#include "kube/yaml.h"
#include "tests/gui/editors/engineapplier.h"
#include "tests/gui/editors/guitestutil.h"
#include "tests/support/engineprocess/engineprocess.h"
#include "tests/support/simnodes/simnodes.h"

#include <QHeaderView>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

using namespace pilot::gui;
using pilot::gui::test::click;
using pilot::gui::test::EngineApplier;
using pilot::gui::test::saveScreenshot;
namespace json = boost::json;

namespace {

/// Feeds the widget like an informer would: the workload and its ReplicaSets/ControllerRevisions,
/// re-read every 100 ms.
class Feeder : public QObject {
public:
    Feeder(EngineApplier& applier, RolloutHistoryWidget& widget, ApiObjectRef workload,
           QString ownedKind, QString selector)
        : m_applier(applier), m_widget(widget), m_workload(std::move(workload)),
          m_ownedKind(std::move(ownedKind)), m_selector(std::move(selector)) {
        connect(&m_timer, &QTimer::timeout, this, &Feeder::poll);
        m_timer.start(100);
        poll();
    }

    QList<RolloutProgress::State> states; ///< every progress state seen, in order

private:
    void poll() {
        if (m_busy) {
            return;
        }
        m_busy = true;
        m_applier.get(m_workload, this, [this](const ObjectResult& workload) {
            if (!workload) {
                m_busy = false;
                return;
            }
            m_applier.list(QStringLiteral("apps/v1"), m_ownedKind, m_workload.namespaceName,
                           m_selector, this, [this, w = *workload](const auto& owned) {
                               m_busy = false;
                               if (!owned) {
                                   return;
                               }
                               m_widget.setOwned(QList<json::object>(owned->begin(), owned->end()));
                               m_widget.setWorkload(w);
                               const auto state = m_widget.progress().state;
                               if (states.isEmpty() || states.last() != state) {
                                   states.append(state);
                               }
                           });
        });
    }

    EngineApplier& m_applier;
    RolloutHistoryWidget& m_widget;
    ApiObjectRef m_workload;
    QString m_ownedKind;
    QString m_selector;
    QTimer m_timer;
    bool m_busy = false;
};

json::object parse(const char* yaml) {
    auto parsed = pilot::kube::parseYaml(yaml);
    return parsed ? parsed->as_object() : json::object();
}

QTreeWidgetItem* rowOf(QTreeWidget* list, qint64 revision) {
    for (int i = 0; i < list->topLevelItemCount(); ++i) {
        if (list->topLevelItem(i)->data(0, Qt::UserRole).toLongLong() == revision) {
            return list->topLevelItem(i);
        }
    }
    return nullptr;
}

void clickRow(QTreeWidget* list, qint64 revision) {
    QTreeWidgetItem* item = rowOf(list, revision);
    QVERIFY(item != nullptr);
    const QRect rect = list->visualItemRect(item);
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, rect.center());
}

QStringList numbers(const QList<Revision>& revisions) {
    QStringList out;
    for (const Revision& r : revisions) {
        out.append(QString::number(r.number) + (r.current ? QStringLiteral("*") : QString()));
    }
    return out;
}

} // namespace

class TestRollout : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<pilot::testsupport::EngineProcess> m_engine;
    std::unique_ptr<pilot::kube::HttpApiClient> m_client;
    std::unique_ptr<pilot::testsupport::SimulatedNodes> m_nodes;
    std::unique_ptr<EngineApplier> m_applier;

    /// Runs an applier call and waits for its result.
    ObjectResult wait(const std::function<void(ObjectCallback)>& call) {
        std::optional<ObjectResult> result;
        call([&](const ObjectResult& r) { result = r; });
        if (!QTest::qWaitFor([&] { return result.has_value(); }, 20000)) {
            qWarning("no answer within 20 s");
        }
        return result.value_or(std::unexpected(StatusError::noResponse(QStringLiteral("timeout"))));
    }

    QString kubectl(const QStringList& args) {
        QProcess process;
        process.start(QStringLiteral("kubectl"),
                      QStringList{QStringLiteral("--kubeconfig"),
                                  QString::fromStdString(m_engine->kubeconfig())} +
                          args);
        process.waitForFinished(30000);
        return QString::fromUtf8(process.readAllStandardOutput());
    }

private Q_SLOTS:
    void initTestCase() {
        m_engine = pilot::gui::test::startEngine();
        QVERIFY(m_engine != nullptr);
        auto client = pilot::kube::HttpApiClient::fromKubeconfigFile(m_engine->kubeconfig());
        QVERIFY2(client, client ? "" : client.error().message.c_str());
        m_client = std::move(*client);
        pilot::testsupport::SimulatedNodeOptions options;
        options.count = 2;
        m_nodes = std::make_unique<pilot::testsupport::SimulatedNodes>(*m_client, options);
        QVERIFY(m_nodes->start());
        m_applier = std::make_unique<EngineApplier>(QString::fromStdString(m_engine->kubeconfig()));
        QVERIFY(m_applier->ok());
    }

    void cleanupTestCase() {
        m_applier.reset();
        m_nodes.reset();
        m_client.reset();
        m_engine.reset();
    }

    void deploymentHistoryDiffAndRollback() {
        const json::object deployment = parse(R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  annotations:
    kubernetes.io/change-cause: first release
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: main
        image: nginx:1.25
)");
        QVERIFY(wait([&](ObjectCallback done) { m_applier->apply(deployment, this, done); }));

        RolloutHistoryWidget widget(m_applier.get());
        widget.resize(900, 700);
        widget.show();
        const ApiObjectRef ref{QStringLiteral("apps/v1"), QStringLiteral("Deployment"),
                               QStringLiteral("default"), QStringLiteral("web")};
        Feeder feeder(*m_applier, widget, ref, QStringLiteral("ReplicaSet"),
                      QStringLiteral("app=web"));

        // Live progress: the two pods become available on the simulated nodes.
        QTRY_COMPARE_WITH_TIMEOUT(int(widget.progress().state),
                                  int(RolloutProgress::State::Complete), 30000);
        QCOMPARE(widget.progress().available, 2);
        QCOMPARE(numbers(widget.revisions()), QStringList{QStringLiteral("1*")});

        // A new image with its change-cause: revision 2.
        const QByteArray update =
            R"({"metadata":{"annotations":{"kubernetes.io/change-cause":"nginx 1.26"}},
            "spec":{"template":{"spec":{"containers":[{"name":"main","image":"nginx:1.26"}]}}}})";
        QVERIFY(wait([&](ObjectCallback done) {
            m_applier->patch(ref, PatchKind::StrategicMerge, update, this, done);
        }));
        QTRY_COMPARE_WITH_TIMEOUT(numbers(widget.revisions()),
                                  (QStringList{QStringLiteral("1"), QStringLiteral("2*")}), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(int(widget.progress().state),
                                  int(RolloutProgress::State::Complete), 30000);
        QVERIFY(feeder.states.contains(RolloutProgress::State::Complete));
        const QList<Revision> revisions = widget.revisions();
        QCOMPARE(revisions.at(0).changeCause, QStringLiteral("first release"));
        QCOMPARE(revisions.at(0).images, QStringList{QStringLiteral("nginx:1.25")});
        QCOMPARE(revisions.at(1).changeCause, QStringLiteral("nginx 1.26"));
        QCOMPARE(revisions.at(1).images, QStringList{QStringLiteral("nginx:1.26")});
        QVERIFY(widget.revisions().at(1).created.isValid());
        QVERIFY(widget.statusText().contains(QLatin1Char('2')));

        // The list shows newest first; choosing revision 1 compares it with the current one.
        QTreeWidget* list = widget.revisionList();
        QCOMPARE(list->topLevelItem(0)->data(0, Qt::UserRole).toLongLong(), 2);
        QCOMPARE(list->topLevelItem(1)->text(2), QStringLiteral("first release"));
        clickRow(list, 1);
        bool imageChanged = false;
        for (const DiffRow& row : widget.diffView()->rows()) {
            imageChanged = imageChanged || (row.kind == DiffRow::Kind::Changed &&
                                            row.left.contains(QStringLiteral("nginx:1.25")) &&
                                            row.right.contains(QStringLiteral("nginx:1.26")));
        }
        QVERIFY(imageChanged);
        QVERIFY(!widget.diffView()->leftPane()->toPlainText().contains(
            QStringLiteral("pod-template-hash")));
        QVERIFY(widget.rollbackButton()->isEnabled());
        saveScreenshot(&widget, QStringLiteral("rollout-history"));

        // Roll back to revision 1, confirming in the bar.
        click(widget.rollbackButton());
        QVERIFY(widget.confirmButton()->isVisible());
        saveScreenshot(&widget, QStringLiteral("rollout-confirm"));
        QSignalSpy rolledBack(&widget, &RolloutHistoryWidget::rolledBack);
        click(widget.confirmButton());
        QVERIFY(rolledBack.wait(20000));
        // The controller reuses revision 1's ReplicaSet as revision 3 (as upstream does).
        QTRY_COMPARE_WITH_TIMEOUT(numbers(widget.revisions()),
                                  (QStringList{QStringLiteral("2"), QStringLiteral("3*")}), 20000);
        QCOMPARE(widget.revisions().last().images, QStringList{QStringLiteral("nginx:1.25")});
        QCOMPARE(widget.revisions().last().changeCause, QStringLiteral("first release"));
        QTRY_COMPARE_WITH_TIMEOUT(int(widget.progress().state),
                                  int(RolloutProgress::State::Complete), 30000);
        saveScreenshot(&widget, QStringLiteral("rollout-rolled-back"));

        // As kubectl sees it.
        const QString history = kubectl({QStringLiteral("rollout"), QStringLiteral("history"),
                                         QStringLiteral("deployment/web")});
        QVERIFY2(history.contains(QStringLiteral("3         first release")), qPrintable(history));
        QVERIFY2(history.contains(QStringLiteral("2         nginx 1.26")), qPrintable(history));
        const ObjectResult live =
            wait([&](ObjectCallback done) { m_applier->get(ref, this, done); });
        QVERIFY(live);
        QCOMPARE(pilot::kube::annotation(*live, "kubernetes.io/change-cause").value_or(""),
                 std::string_view("first release"));
        const json::value liveValue = *live;
        const json::value* labels = pilot::kube::at(liveValue, "spec.template.metadata.labels");
        QVERIFY(labels && labels->is_object());
        QVERIFY(!labels->as_object().contains("pod-template-hash"));
    }

    void rollbackToTheCurrentRevisionDoesNothing() {
        const ApiObjectRef ref{QStringLiteral("apps/v1"), QStringLiteral("Deployment"),
                               QStringLiteral("default"), QStringLiteral("web")};
        RolloutHistoryWidget widget(m_applier.get());
        widget.show();
        Feeder feeder(*m_applier, widget, ref, QStringLiteral("ReplicaSet"),
                      QStringLiteral("app=web"));
        QTRY_VERIFY_WITH_TIMEOUT(widget.revisions().size() == 2, 20000);
        const int requests = m_applier->requestCount();
        widget.requestRollback(3);
        widget.confirmRollback();
        QVERIFY(widget.bannerText().contains(QLatin1Char('3')));
        Q_UNUSED(requests);
    }

    void statefulSetRollbackThroughControllerRevisions() {
        const json::object set = parse(R"(apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: default
spec:
  replicas: 2
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: db
        image: postgres:15
)");
        QVERIFY(wait([&](ObjectCallback done) { m_applier->apply(set, this, done); }));
        const ApiObjectRef ref{QStringLiteral("apps/v1"), QStringLiteral("StatefulSet"),
                               QStringLiteral("default"), QStringLiteral("db")};
        RolloutHistoryWidget widget(m_applier.get());
        widget.resize(900, 700);
        widget.show();
        Feeder feeder(*m_applier, widget, ref, QStringLiteral("ControllerRevision"),
                      QStringLiteral("app=db"));
        QTRY_COMPARE_WITH_TIMEOUT(int(widget.progress().state),
                                  int(RolloutProgress::State::Complete), 30000);
        const QByteArray update =
            R"({"spec":{"template":{"spec":{"containers":[{"name":"db","image":"postgres:16"}]}}}})";
        QVERIFY(wait([&](ObjectCallback done) {
            m_applier->patch(ref, PatchKind::StrategicMerge, update, this, done);
        }));
        QTRY_COMPARE_WITH_TIMEOUT(numbers(widget.revisions()),
                                  (QStringList{QStringLiteral("1"), QStringLiteral("2*")}), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(int(widget.progress().state),
                                  int(RolloutProgress::State::Complete), 30000);
        QCOMPARE(widget.revisions().at(0).images, QStringList{QStringLiteral("postgres:15")});
        clickRow(widget.revisionList(), 1);
        click(widget.rollbackButton());
        QSignalSpy rolledBack(&widget, &RolloutHistoryWidget::rolledBack);
        click(widget.confirmButton());
        QVERIFY2(rolledBack.wait(20000), qPrintable(widget.bannerText()));
        QTRY_COMPARE_WITH_TIMEOUT(numbers(widget.revisions()),
                                  (QStringList{QStringLiteral("2"), QStringLiteral("3*")}), 20000);
        QCOMPARE(widget.revisions().last().images, QStringList{QStringLiteral("postgres:15")});
        saveScreenshot(&widget, QStringLiteral("rollout-statefulset"));
    }
};

QTEST_MAIN(TestRollout)
#include "tst_rollout.moc"
