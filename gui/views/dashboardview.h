#pragma once

#include "gui/models/clustersession.h"
#include <QMap>
#include <QPointer>
#include <QTimer>
#include <QWidget>

class QLabel;
class QStackedWidget;
class QTableWidget;
class QPieSeries;
class QChartView;

namespace pilot::gui {

class MetricsHistory;
class MetricsPoller;
class ResourceFilterProxy;
class ResourceTableView;
class UsageChart;

/// A cluster's overview: nodes and their health, pods by phase (a pie), workloads by health,
/// recent warning events, and CPU/memory charts (cluster and per node) from metrics.k8s.io,
/// or "metrics unavailable" when the cluster does not serve it. Counts follow the models live
/// (recounted at most a few times a second).
class DashboardView : public QWidget {
    Q_OBJECT
public:
    explicit DashboardView(ClusterSession* session, QWidget* parent = nullptr);

    /// Metrics poll interval (tests shorten it).
    void setMetricsInterval(int ms);

    [[nodiscard]] QString nodesText() const;
    [[nodiscard]] int podsInPhase(const QString& phase) const { return m_phases.value(phase); }
    [[nodiscard]] bool metricsAvailable() const;
    [[nodiscard]] QList<UsageChart*> charts() const { return m_charts; }
    [[nodiscard]] QTableWidget* workloadTable() const { return m_workloads; }
    [[nodiscard]] ResourceTableView* warningEvents() const { return m_warnings; }
    [[nodiscard]] MetricsHistory* history() const { return m_history; }

protected:
    void changeEvent(QEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    void scheduleRecount();
    void recount();
    void retranslate();
    void updateMetricsPage();

    QPointer<ClusterSession> m_session;
    QTimer m_recount;
    QMap<QString, int> m_phases;
    bool m_stale = false;

    QLabel* m_nodesTitle = nullptr;
    QLabel* m_nodes = nullptr;
    QLabel* m_podsTitle = nullptr;
    QLabel* m_pods = nullptr;
    QChartView* m_phaseChart = nullptr;
    QPieSeries* m_phaseSeries = nullptr;
    QLabel* m_workloadsTitle = nullptr;
    QTableWidget* m_workloads = nullptr;
    QLabel* m_warningsTitle = nullptr;
    ResourceTableView* m_warnings = nullptr;
    ResourceFilterProxy* m_warningsProxy = nullptr;
    QLabel* m_metricsTitle = nullptr;
    QStackedWidget* m_metricsStack = nullptr;
    QLabel* m_metricsUnavailable = nullptr;
    MetricsPoller* m_poller = nullptr;
    MetricsHistory* m_history = nullptr;
    QList<UsageChart*> m_charts;
};

} // namespace pilot::gui
