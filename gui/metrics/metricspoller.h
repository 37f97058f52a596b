#pragma once

#include "gui/client/kubeclient.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace pilot::gui {

/// One node's usage at one moment (metrics.k8s.io NodeMetrics).
struct NodeUsage {
    QString node;
    double cpuCores = 0;
    double memoryBytes = 0;
};

/// Polls `metrics.k8s.io/v1beta1/nodes` while it is served. `available` turns false (and the
/// dashboard shows "metrics unavailable") when the API answers 404/503, is not discovered, or
/// lists no node yet (served, but no agent or metrics server has reported); meanwhile polling
/// continues slowly so that metrics appear once a server provides them.
class MetricsPoller : public QObject {
    Q_OBJECT
public:
    explicit MetricsPoller(KubeClient* client, QObject* parent = nullptr);

    void setInterval(int ms);
    void start();
    void stop();
    /// Polls once now.
    void poll();

    [[nodiscard]] bool isAvailable() const { return m_available; }
    [[nodiscard]] bool hasAnswered() const { return m_answered; }

    /// Parses a NodeMetricsList body (exposed for tests).
    [[nodiscard]] static QList<NodeUsage> parse(const QByteArray& body);

Q_SIGNALS:
    void sampled(const QDateTime& time, const QList<pilot::gui::NodeUsage>& usage);
    void availabilityChanged(bool available);

private:
    void setAvailable(bool available);

    QPointer<KubeClient> m_client;
    QTimer m_timer;
    QObject* m_context = nullptr;
    int m_intervalMs = 10000;
    bool m_available = false;
    bool m_answered = false;
};

} // namespace pilot::gui
