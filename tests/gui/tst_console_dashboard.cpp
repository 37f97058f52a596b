// console.md item 2: the dashboard shows node count and health, pods by phase, workloads by
// health and recent warning events, and says "metrics unavailable" while no node reports usage
// (the simulated nodes report none); once a real pilothouse-agent joins, the engine serves its
// usage through metrics.k8s.io and the cluster and per-node CPU/memory charts move live.

#include "gui/app/clustermanager.h"
#include "gui/app/languagemanager.h"
#include "gui/app/mainwindow.h"
#include "gui/client/kubeclient.h"
#include "gui/client/kubeconfigset.h"
#include "gui/metrics/metricshistory.h"
#include "gui/metrics/usagechart.h"
#include "gui/models/clustersession.h"
#include "gui/views/dashboardview.h"
#include "gui/views/resourcetableview.h"

#include "tests/gui/support/consoletest.h"
#include "tests/gui/support/engineinstance.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProcess>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace pilot::gui;
using namespace pilot::guitest;

class ConsoleDashboardTest : public QObject {
    Q_OBJECT

private:
    EngineInstance m_engine;
    SimNodes m_nodes;
    LanguageManager m_language;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<KubeClient> m_client;
    const QString m_context = QStringLiteral("pilothouse");

    DashboardView* dashboard() const { return m_window->dashboard(m_context); }

    QString workloadCell(int row, int column) const {
        QTableWidgetItem* item = dashboard()->workloadTable()->item(row, column);
        return item ? item->text() : QString();
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_engine.start());
        QVERIFY(m_nodes.start(m_engine.kubeconfig(), 2));
        auto set = KubeconfigSet::load({m_engine.kubeconfig()}, true);
        QVERIFY(set.has_value());
        m_client = std::make_unique<KubeClient>(*set->resolve());
        // One healthy Deployment, one that cannot schedule (a warning event and pending pods).
        QCOMPARE(
            kubectl(m_engine.kubeconfig(),
                    {QStringLiteral("create"), QStringLiteral("deployment"), QStringLiteral("web"),
                     QStringLiteral("--image=nginx"), QStringLiteral("--replicas=3")}),
            0);
        QByteArray stuck =
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: stuck, namespace: "
            "default}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: stuck}}\n"
            "  template:\n    metadata: {labels: {app: stuck}}\n    spec:\n"
            "      nodeSelector: {disk: ssd}\n      containers: [{name: c, image: "
            "nginx}]\n";
        QCOMPARE(kubectl(m_engine.kubeconfig(),
                         {QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")},
                         nullptr, stuck),
                 0);
        m_language.setLanguage(QStringLiteral("en"));
        AppOptions options;
        options.kubeconfig = m_engine.kubeconfig();
        m_window = std::make_unique<MainWindow>(options, &m_language);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QTRY_VERIFY_WITH_TIMEOUT(dashboard() != nullptr, 10000);
        QCOMPARE(m_window->currentPage(), static_cast<QWidget*>(dashboard()));
    }

    void cleanupTestCase() {
        m_window.reset();
        m_client.reset();
        m_nodes.stop();
        m_engine.stop();
    }

    void showsNodesPodsWorkloadsAndWarnings() {
        QTRY_COMPARE_WITH_TIMEOUT(dashboard()->nodesText().section(QLatin1Char('\n'), 0, 0),
                                  QStringLiteral("2 of 2 nodes ready"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(dashboard()->podsInPhase(QStringLiteral("Running")), 3, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(dashboard()->podsInPhase(QStringLiteral("Pending")), 2, 10000);
        QVERIFY(dashboard()
                    ->findChild<QLabel*>(QStringLiteral("podsSummary"))
                    ->text()
                    .contains(QLatin1String("3 Running")));
        // Deployments row: web healthy, stuck not.
        QTRY_COMPARE_WITH_TIMEOUT(workloadCell(0, 1), QStringLiteral("1"), 10000);
        QCOMPARE(workloadCell(0, 2).toInt() + workloadCell(0, 3).toInt(), 1);
        // The scheduler's FailedScheduling warning is listed.
        ResourceTableView* warnings = dashboard()->warningEvents();
        QTRY_VERIFY_WITH_TIMEOUT(warnings->model()->rowCount() > 0, 10000);
        QCOMPARE(warnings->model()->index(0, 2).data().toString(),
                 QStringLiteral("FailedScheduling"));
        QVERIFY(!dashboard()->metricsAvailable());
        QTRY_VERIFY(
            dashboard()->findChild<QLabel*>(QStringLiteral("metricsUnavailable"))->isVisible());
        saveScreenshot(m_window.get(), QStringLiteral("dashboard-no-metrics"));
    }

    void chartsMoveLiveWhenMetricsAreServed() {
        // No pod can land on the agent's node: the web pods are bound already and the stuck
        // ones want a disk=ssd node.
        AgentProcess agent;
        QVERIFY(agent.start(QStringLiteral(PILOT_AGENT_BINARY), m_engine.kubeconfig(),
                            QStringLiteral("agent-0")));
        dashboard()->setMetricsInterval(300);
        QTRY_VERIFY_WITH_TIMEOUT(dashboard()->metricsAvailable(), 30000);
        QList<UsageChart*> charts = dashboard()->charts();
        QCOMPARE(charts.size(), 4);
        QTRY_VERIFY_WITH_TIMEOUT(charts[0]->pointCount() >= 3, 10000);
        int before = charts[0]->pointCount();
        QTRY_VERIFY_WITH_TIMEOUT(charts[0]->pointCount() >= before + 3, 10000); // it moves
        QTRY_COMPARE(charts[2]->seriesCount(), 1); // one line per node that reports usage
        QVERIFY(dashboard()->history()->cluster().last().memoryBytes > 0);
        QVERIFY(
            !dashboard()->findChild<QLabel*>(QStringLiteral("metricsUnavailable"))->isVisible());
        saveScreenshot(m_window.get(), QStringLiteral("dashboard-metrics"));
    }
};

QTEST_MAIN(ConsoleDashboardTest)
#include "tst_console_dashboard.moc"
