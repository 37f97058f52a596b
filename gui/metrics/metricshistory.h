#pragma once

#include "gui/metrics/metricspoller.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>

namespace pilot::gui {

/// Usage samples kept in memory for the charts: cluster totals and per node, the last
/// `capacity` samples each (an hour at the default 10 s interval).
class MetricsHistory : public QObject {
    Q_OBJECT
public:
    struct Point {
        qint64 ms = 0;
        double cpuCores = 0;
        double memoryBytes = 0;
    };

    explicit MetricsHistory(int capacity = 360, QObject* parent = nullptr);

    void add(const QDateTime& time, const QList<NodeUsage>& usage);
    void clear();

    [[nodiscard]] const QList<Point>& cluster() const { return m_cluster; }
    [[nodiscard]] QList<Point> node(const QString& name) const { return m_nodes.value(name); }
    /// Nodes ordered by their latest CPU (or memory) use, highest first.
    [[nodiscard]] QStringList busiestNodes(int count, bool byMemory) const;
    [[nodiscard]] int samples() const { return int(m_cluster.size()); }

Q_SIGNALS:
    void changed();

private:
    int m_capacity;
    QList<Point> m_cluster;
    QHash<QString, QList<Point>> m_nodes;
};

} // namespace pilot::gui
