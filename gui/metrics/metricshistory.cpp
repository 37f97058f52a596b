#include "gui/metrics/metricshistory.h"

#include <QSet>

#include <algorithm>

namespace pilot::gui {

MetricsHistory::MetricsHistory(int capacity, QObject* parent)
    : QObject(parent), m_capacity(capacity) {}

void MetricsHistory::add(const QDateTime& time, const QList<NodeUsage>& usage) {
    if (usage.isEmpty()) {
        return; // served but not reporting yet: no point rather than a false zero
    }
    Point total{time.toMSecsSinceEpoch(), 0, 0};
    QSet<QString> seen;
    for (const NodeUsage& node : usage) {
        total.cpuCores += node.cpuCores;
        total.memoryBytes += node.memoryBytes;
        QList<Point>& points = m_nodes[node.node];
        points.append({total.ms, node.cpuCores, node.memoryBytes});
        if (points.size() > m_capacity) {
            points.removeFirst();
        }
        seen.insert(node.node);
    }
    for (auto it = m_nodes.begin(); it != m_nodes.end();) {
        it = seen.contains(it.key()) ? std::next(it) : m_nodes.erase(it); // nodes that left
    }
    m_cluster.append(total);
    if (m_cluster.size() > m_capacity) {
        m_cluster.removeFirst();
    }
    Q_EMIT changed();
}

void MetricsHistory::clear() {
    m_cluster.clear();
    m_nodes.clear();
    Q_EMIT changed();
}

QStringList MetricsHistory::busiestNodes(int count, bool byMemory) const {
    QList<std::pair<double, QString>> latest;
    for (auto it = m_nodes.begin(); it != m_nodes.end(); ++it) {
        if (!it.value().isEmpty()) {
            const Point& p = it.value().last();
            latest.append({byMemory ? p.memoryBytes : p.cpuCores, it.key()});
        }
    }
    std::sort(latest.begin(), latest.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    QStringList out;
    for (int i = 0; i < latest.size() && i < count; ++i) {
        out << latest.at(i).second;
    }
    return out;
}

} // namespace pilot::gui
