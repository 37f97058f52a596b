#include "gui/metrics/usagechart.h"

#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QLineSeries>
#include <QValueAxis>

namespace pilot::gui {

namespace {

constexpr int MaxNodeSeries = 6;
constexpr double GiB = 1024.0 * 1024 * 1024;

} // namespace

UsageChart::UsageChart(MetricsHistory* history, Metric metric, Scope scope, QWidget* parent)
    : QChartView(parent), m_history(history), m_metric(metric), m_scope(scope) {
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(180);
    QChart* c = chart();
    c->setMargins(QMargins(4, 4, 4, 4));
    c->legend()->setAlignment(Qt::AlignBottom);
    c->legend()->setVisible(scope == Scope::PerNode);
    m_time = new QDateTimeAxis(c);
    m_time->setFormat(QStringLiteral("HH:mm:ss"));
    m_time->setTickCount(4);
    m_value = new QValueAxis(c);
    m_value->setLabelFormat(metric == Metric::Cpu ? QStringLiteral("%.2f")
                                                  : QStringLiteral("%.1f"));
    m_value->setMin(0);
    c->addAxis(m_time, Qt::AlignBottom);
    c->addAxis(m_value, Qt::AlignLeft);
    retranslate();
    if (m_history) {
        connect(m_history, &MetricsHistory::changed, this, &UsageChart::rebuild);
    }
    rebuild();
}

void UsageChart::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    QChartView::changeEvent(event);
}

void UsageChart::retranslate() {
    bool cpu = m_metric == Metric::Cpu;
    if (m_scope == Scope::Cluster) {
        chart()->setTitle(cpu ? tr("Cluster CPU (cores)") : tr("Cluster memory (GiB)"));
    } else {
        chart()->setTitle(cpu ? tr("CPU by node (cores)") : tr("Memory by node (GiB)"));
    }
}

void UsageChart::rebuild() {
    QChart* c = chart();
    c->removeAllSeries();
    if (!m_history) {
        return;
    }
    bool cpu = m_metric == Metric::Cpu;
    double maxValue = 0;
    qint64 minMs = 0;
    qint64 maxMs = 0;
    auto addSeries = [&](const QString& name, const QList<MetricsHistory::Point>& points) {
        auto* series = new QLineSeries(c);
        series->setName(name);
        QList<QPointF> data;
        data.reserve(points.size());
        for (const MetricsHistory::Point& p : points) {
            double value = cpu ? p.cpuCores : p.memoryBytes / GiB;
            data.append(QPointF(double(p.ms), value));
            maxValue = std::max(maxValue, value);
            minMs = minMs == 0 ? p.ms : std::min(minMs, p.ms);
            maxMs = std::max(maxMs, p.ms);
        }
        series->replace(data);
        c->addSeries(series);
        series->attachAxis(m_time);
        series->attachAxis(m_value);
    };
    if (m_scope == Scope::Cluster) {
        addSeries(tr("Cluster"), m_history->cluster());
    } else {
        for (const QString& node : m_history->busiestNodes(MaxNodeSeries, !cpu)) {
            addSeries(node, m_history->node(node));
        }
    }
    if (minMs == 0) {
        qint64 now = QDateTime::currentMSecsSinceEpoch();
        minMs = now - 60000;
        maxMs = now;
    }
    if (maxMs - minMs < 10000) {
        minMs = maxMs - 10000; // at least ten seconds wide
    }
    m_time->setRange(QDateTime::fromMSecsSinceEpoch(minMs), QDateTime::fromMSecsSinceEpoch(maxMs));
    m_value->setRange(0, maxValue > 0 ? maxValue * 1.2 : 1.0);
}

int UsageChart::pointCount() const {
    const QList<QAbstractSeries*> series = chart()->series();
    if (series.isEmpty()) {
        return 0;
    }
    auto* line = qobject_cast<QLineSeries*>(series.first());
    return line ? int(line->count()) : 0;
}

int UsageChart::seriesCount() const {
    return int(chart()->series().size());
}

} // namespace pilot::gui
