#pragma once

#include "gui/metrics/metricshistory.h"

#include <QChartView>
#include <QPointer>

class QDateTimeAxis;
class QValueAxis;

namespace pilot::gui {

/// A live line chart of CPU or memory use from a MetricsHistory: the cluster total, or the
/// busiest nodes (one line each). Redraws when the history changes; titles follow the language.
class UsageChart : public QChartView {
    Q_OBJECT
public:
    enum class Metric { Cpu, Memory };
    enum class Scope { Cluster, PerNode };

    UsageChart(MetricsHistory* history, Metric metric, Scope scope, QWidget* parent = nullptr);

    /// Number of points drawn in the first series (for tests: the chart moves).
    [[nodiscard]] int pointCount() const;
    [[nodiscard]] int seriesCount() const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void rebuild();
    void retranslate();

    QPointer<MetricsHistory> m_history;
    Metric m_metric;
    Scope m_scope;
    QDateTimeAxis* m_time = nullptr;
    QValueAxis* m_value = nullptr;
};

} // namespace pilot::gui
