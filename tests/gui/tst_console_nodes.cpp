// console.md item 10: nodes cordoned, uncordoned and drained with progress (evictions that a
// PodDisruptionBudget refuses are retried until it allows them); labels and taints edited in
// dialogs. Simulated nodes (pilot-simnodes) run the pods.

#include "gui/app/clustermanager.h"
#include "gui/app/languagemanager.h"
#include "gui/app/mainwindow.h"
#include "gui/models/clustersession.h"
#include "gui/models/modelutil.h"
#include "gui/models/navigationmodel.h"
#include "gui/models/nodemodel.h"
#include "gui/models/podmodel.h"
#include "gui/models/resourcefilterproxy.h"
#include "gui/views/actioncontroller.h"
#include "gui/views/navigationview.h"
#include "gui/views/resourcelistview.h"
#include "gui/views/resourcetableview.h"

#include "tests/gui/support/consoletest.h"
#include "tests/gui/support/engineinstance.h"

#include <QApplication>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTest>
#include <QToolBar>
#include <QTreeView>

using namespace pilot::gui;
using namespace pilot::guitest;

class ConsoleNodesTest : public QObject {
    Q_OBJECT

private:
    EngineInstance m_engine;
    SimNodes m_nodes;
    LanguageManager m_language;
    std::unique_ptr<MainWindow> m_window;
    const QString m_context = QStringLiteral("pilothouse");
    ResourceListView* m_list = nullptr;

    ClusterSession* session() const { return m_window->clusters()->session(m_context); }

    const NodeRecord* node(const QString& name) const {
        return static_cast<const NodeRecord*>(session()->nodes()->recordByKey(name).get());
    }

    int podsOn(const QString& nodeName) const {
        int count = 0;
        for (const RecordPtr& record : session()->pods()->records()) {
            const auto& pod = static_cast<const PodRecord&>(*record);
            if (pod.node == nodeName && pod.namespaceName == QLatin1String("default") &&
                pod.deletingMs == 0) {
                ++count;
            }
        }
        return count;
    }

    void select(const QString& name) {
        ResourceTableView* table = m_list->table();
        int row = table->rowOfKey(name);
        QVERIFY(row >= 0);
        clickRow(table, row);
        QCOMPARE(table->selectedRecords().size(), 1);
        QCOMPARE(table->selectedRecords().front()->name, name);
    }

    void trigger(ResourceAction action) {
        QAction* a = m_list->actions()->action(action);
        QTRY_VERIFY(a->isEnabled());
        clickToolBarAction(m_list->toolBar(), a);
    }

    /// Types into the cell the table is editing, then moves on with Tab.
    static void typeCell(QTableWidget* table, const QString& text) {
        QLineEdit* editor = nullptr;
        QTRY_VERIFY((editor = openEditor(table)) != nullptr);
        QTest::keyClicks(editor, text);
        QTest::keyClick(editor, Qt::Key_Tab);
    }

    static QLineEdit* openEditor(QTableWidget* table) {
        for (QLineEdit* edit : table->viewport()->findChildren<QLineEdit*>()) {
            if (edit->isVisible()) {
                return edit;
            }
        }
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_engine.start());
        QVERIFY(m_nodes.start(m_engine.kubeconfig(), 2));
        m_language.setLanguage(QStringLiteral("en"));
        AppOptions options;
        options.kubeconfig = m_engine.kubeconfig();
        m_window = std::make_unique<MainWindow>(options, &m_language);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QTRY_VERIFY_WITH_TIMEOUT(
            m_window->navigationModel()->namespaceIndex(m_context, QString()).isValid(), 10000);
        QCOMPARE(kubectl(m_engine.kubeconfig(),
                         {QStringLiteral("create"), QStringLiteral("deployment"),
                          QStringLiteral("spread"), QStringLiteral("--image=nginx"),
                          QStringLiteral("--replicas=4"), QStringLiteral("-n"),
                          QStringLiteral("default")}),
                 0);
        // Nodes live under Cluster in every namespace view; use "All namespaces".
        QModelIndex nodes =
            m_window->navigationModel()->kindIndex(m_context, QString(), ResourceType::nodes());
        QVERIFY(nodes.isValid());
        clickTreeItem(m_window->navigation()->tree(), nodes);
        m_list = m_window->listView(m_context, ResourceType::nodes());
        QVERIFY(m_list);
        QTRY_COMPARE_WITH_TIMEOUT(m_list->proxy()->rowCount(), 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(
            podsOn(QStringLiteral("sim-node-0")) + podsOn(QStringLiteral("sim-node-1")), 4, 20000);
    }

    void cleanupTestCase() {
        m_window.reset();
        m_nodes.stop();
        m_engine.stop();
    }

    void cordonsAndUncordons() {
        select(QStringLiteral("sim-node-0"));
        QVERIFY(!m_list->actions()->action(ResourceAction::Uncordon)->isEnabled());
        trigger(ResourceAction::Cordon);
        QTRY_VERIFY_WITH_TIMEOUT(node(QStringLiteral("sim-node-0"))->unschedulable, 5000);
        QTRY_COMPARE(
            m_list->proxy()
                ->data(m_list->proxy()->index(
                    m_list->table()->rowOfKey(QStringLiteral("sim-node-0")), NodeModel::Status))
                .toString(),
            QStringLiteral("Ready,SchedulingDisabled"));
        saveScreenshot(m_window.get(), QStringLiteral("nodes-cordoned"));
        trigger(ResourceAction::Uncordon);
        QTRY_VERIFY_WITH_TIMEOUT(!node(QStringLiteral("sim-node-0"))->unschedulable, 5000);
    }

    void editsLabels() {
        select(QStringLiteral("sim-node-0"));
        trigger(ResourceAction::EditLabels);
        QWidget* dialog = nullptr;
        QTRY_VERIFY((dialog = visibleTopLevel(QStringLiteral("labelsDialog"))) != nullptr);
        auto* table = dialog->findChild<QTableWidget*>(QStringLiteral("entries"));
        int before = table->rowCount();
        QVERIFY(before > 0); // the node's own labels (hostname, os, ...)
        clickButton(dialog->findChild<QPushButton*>(QStringLiteral("addButton")));
        QCOMPARE(table->rowCount(), before + 1);
        typeCell(table, QStringLiteral("team"));
        typeCell(table, QStringLiteral("blue"));
        saveScreenshot(dialog, QStringLiteral("nodes-labels-dialog"));
        clickButton(dialog->findChild<QPushButton*>(QStringLiteral("okButton")));
        QTRY_COMPARE_WITH_TIMEOUT(node(QStringLiteral("sim-node-0"))->label(QStringLiteral("team")),
                                  QStringLiteral("blue"), 5000);
    }

    void editsTaints() {
        select(QStringLiteral("sim-node-0"));
        trigger(ResourceAction::EditTaints);
        QWidget* dialog = nullptr;
        QTRY_VERIFY((dialog = visibleTopLevel(QStringLiteral("taintsDialog"))) != nullptr);
        auto* table = dialog->findChild<QTableWidget*>(QStringLiteral("entries"));
        clickButton(dialog->findChild<QPushButton*>(QStringLiteral("addButton")));
        typeCell(table, QStringLiteral("dedicated"));
        typeCell(table, QStringLiteral("gpu"));
        saveScreenshot(dialog, QStringLiteral("nodes-taints-dialog"));
        clickButton(dialog->findChild<QPushButton*>(QStringLiteral("okButton")));
        QTRY_COMPARE_WITH_TIMEOUT(node(QStringLiteral("sim-node-0"))->taints, 1, 5000);
        QJsonArray taints =
            jsonAt(node(QStringLiteral("sim-node-0"))->json(), u"spec.taints").toArray();
        QCOMPARE(taints.at(0).toObject().value(QLatin1String("key")).toString(),
                 QStringLiteral("dedicated"));
        QCOMPARE(taints.at(0).toObject().value(QLatin1String("value")).toString(),
                 QStringLiteral("gpu"));
        QCOMPARE(taints.at(0).toObject().value(QLatin1String("effect")).toString(),
                 QStringLiteral("NoSchedule"));
        // Remove it again so that evicted pods can land on this node.
        trigger(ResourceAction::EditTaints);
        QTRY_VERIFY((dialog = visibleTopLevel(QStringLiteral("taintsDialog"))) != nullptr);
        table = dialog->findChild<QTableWidget*>(QStringLiteral("entries"));
        QCOMPARE(table->rowCount(), 1);
        clickRow(table, 0);
        clickButton(dialog->findChild<QPushButton*>(QStringLiteral("removeButton")));
        QCOMPARE(table->rowCount(), 0);
        clickButton(dialog->findChild<QPushButton*>(QStringLiteral("okButton")));
        QTRY_COMPARE_WITH_TIMEOUT(node(QStringLiteral("sim-node-0"))->taints, 0, 5000);
    }

    void drainsWithProgressHonouringBudgets() {
        // A budget that allows no disruption at first.
        QByteArray pdb =
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: spread, "
            "namespace: default}\nspec: {minAvailable: 4, selector: {matchLabels: "
            "{app: spread}}}\n";
        QCOMPARE(kubectl(m_engine.kubeconfig(),
                         {QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")},
                         nullptr, pdb),
                 0);
        int onNode1 = podsOn(QStringLiteral("sim-node-1"));
        QVERIFY(onNode1 > 0);
        select(QStringLiteral("sim-node-1"));
        trigger(ResourceAction::Drain);
        QWidget* dialog = nullptr;
        QTRY_VERIFY((dialog = visibleTopLevel(QStringLiteral("drainDialog"))) != nullptr);
        clickButton(dialog->findChild<QPushButton*>(QStringLiteral("startDrain")));
        auto* log = dialog->findChild<QPlainTextEdit*>(QStringLiteral("drainLog"));
        QTRY_VERIFY_WITH_TIMEOUT(log->toPlainText().contains(QLatin1String("disruption budget")),
                                 10000);
        QTRY_VERIFY(node(QStringLiteral("sim-node-1"))->unschedulable); // cordoned first
        saveScreenshot(dialog, QStringLiteral("nodes-drain-waiting"));
        // Allow disruptions: the retried evictions go through.
        QCOMPARE(kubectl(m_engine.kubeconfig(),
                         {QStringLiteral("patch"), QStringLiteral("pdb"), QStringLiteral("spread"),
                          QStringLiteral("-n"), QStringLiteral("default"),
                          QStringLiteral("--type=merge"), QStringLiteral("-p"),
                          QStringLiteral("{\"spec\":{\"minAvailable\":0}}")}),
                 0);
        auto* status = dialog->findChild<QLabel*>(QStringLiteral("drainStatus"));
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QLatin1String("drained")), 30000);
        auto* progress = dialog->findChild<QProgressBar*>(QStringLiteral("drainProgress"));
        QCOMPARE(progress->value(), progress->maximum());
        QCOMPARE(progress->maximum(), onNode1);
        saveScreenshot(dialog, QStringLiteral("nodes-drain-done"));
        QTRY_COMPARE_WITH_TIMEOUT(podsOn(QStringLiteral("sim-node-1")), 0, 10000);
        // The Deployment brought its pods back on the other node.
        QTRY_COMPARE_WITH_TIMEOUT(podsOn(QStringLiteral("sim-node-0")), 4, 20000);
        clickButton(dialog->findChild<QPushButton*>(QStringLiteral("closeDrain")));
        QTRY_VERIFY(visibleTopLevel(QStringLiteral("drainDialog")) == nullptr);
        saveScreenshot(m_window.get(), QStringLiteral("nodes-after-drain"));
    }
};

QTEST_MAIN(ConsoleNodesTest)
#include "tst_console_nodes.moc"
