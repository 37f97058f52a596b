#include "gui/metrics/metricspoller.h"

#include "gui/client/resourcetype.h"
#include "gui/models/modelutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace pilot::gui {

namespace {

/// While unavailable, look again at this multiple of the interval.
constexpr int UnavailableSlowdown = 3;

} // namespace

MetricsPoller::MetricsPoller(KubeClient* client, QObject* parent)
    : QObject(parent), m_client(client) {
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &MetricsPoller::poll);
}

void MetricsPoller::setInterval(int ms) {
    m_intervalMs = ms;
}

void MetricsPoller::start() {
    poll();
}

void MetricsPoller::stop() {
    m_timer.stop();
    delete m_context;
    m_context = nullptr;
}

QList<NodeUsage> MetricsPoller::parse(const QByteArray& body) {
    QList<NodeUsage> out;
    const QJsonArray items =
        QJsonDocument::fromJson(body).object().value(QLatin1String("items")).toArray();
    for (const QJsonValue& value : items) {
        QJsonObject item = value.toObject();
        NodeUsage usage;
        usage.node = stringAt(item, u"metadata.name");
        usage.cpuCores = parseQuantity(stringAt(item, u"usage.cpu"));
        usage.memoryBytes = parseQuantity(stringAt(item, u"usage.memory"));
        out.append(usage);
    }
    return out;
}

void MetricsPoller::poll() {
    if (!m_client) {
        return;
    }
    delete m_context;
    m_context = new QObject(this);
    RequestOptions options;
    options.timeoutMs = std::max(m_intervalMs, 5000);
    m_client->get(
        ResourceType::nodeMetrics().collectionPath(), m_context,
        [this](const ApiResponse& response) {
            m_answered = true;
            // Served but empty (no node reports usage yet) counts as unavailable too.
            QList<NodeUsage> usage = response.ok() ? parse(response.body) : QList<NodeUsage>();
            if (!usage.isEmpty()) {
                setAvailable(true);
                Q_EMIT sampled(QDateTime::currentDateTimeUtc(), usage);
                m_timer.start(m_intervalMs);
                return;
            }
            setAvailable(false);
            m_timer.start(m_intervalMs * UnavailableSlowdown);
        },
        options);
}

void MetricsPoller::setAvailable(bool available) {
    if (available == m_available) {
        return;
    }
    m_available = available;
    Q_EMIT availabilityChanged(available);
}

} // namespace pilot::gui
