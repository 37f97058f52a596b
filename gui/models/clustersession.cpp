#include "gui/models/clustersession.h"

#include "gui/models/configmapmodel.h"
#include "gui/models/cronjobmodel.h"
#include "gui/models/daemonsetmodel.h"
#include "gui/models/deploymentmodel.h"
#include "gui/models/eventmodel.h"
#include "gui/models/ingressmodel.h"
#include "gui/models/jobmodel.h"
#include "gui/models/namespacemodel.h"
#include "gui/models/nodemodel.h"
#include "gui/models/podmodel.h"
#include "gui/models/pvcmodel.h"
#include "gui/models/pvmodel.h"
#include "gui/models/secretmodel.h"
#include "gui/models/servicemodel.h"
#include "gui/models/statefulsetmodel.h"
#include "gui/models/storageclassmodel.h"
#include "gui/models/tablemodel.h"

namespace pilot::gui {

namespace {

constexpr int ProbeIntervalMs = 2000;
constexpr int DiscoveryIntervalMs = 60000;

} // namespace

ClusterSession::ClusterSession(ConnectionConfig config, QObject* parent)
    : QObject(parent), m_config(std::move(config)) {
    m_client = new KubeClient(m_config, this);
    m_discovery = new ApiDiscovery(m_client, this);
    connect(m_discovery, &ApiDiscovery::updated, this, &ClusterSession::discoveryUpdated);
    connect(m_discovery, &ApiDiscovery::updated, this, &ClusterSession::updateConnection);
    connect(m_client, &KubeClient::reachabilityChanged, this, [this](bool reachable) {
        if (reachable) {
            reconnectNow(); // the server is back: resume every watch now
            if (!m_discovery->isLoaded()) {
                m_discovery->refresh();
            }
        }
        updateConnection();
    });
    m_probeTimer.setInterval(ProbeIntervalMs);
    connect(&m_probeTimer, &QTimer::timeout, this, &ClusterSession::probe);
    m_discoveryTimer.setInterval(DiscoveryIntervalMs);
    connect(&m_discoveryTimer, &QTimer::timeout, m_discovery, &ApiDiscovery::refresh);
}

ClusterSession::~ClusterSession() {
    for (Feed& feed : m_feeds) {
        feed.informer->stop();
    }
}

void ClusterSession::start() {
    m_discovery->refresh();
    m_discoveryTimer.start();
    // What navigation and the dashboard show right away.
    for (const ResourceType& type :
         {ResourceType::namespaces(), ResourceType::nodes(), ResourceType::pods(),
          ResourceType::deployments(), ResourceType::statefulSets(), ResourceType::daemonSets(),
          ResourceType::events()}) {
        (void)model(type);
    }
}

ResourceModel* ClusterSession::createModel(const ResourceType& type, QObject* parent) {
    const QString id = type.id();
    if (id == ResourceType::pods().id()) {
        return new PodModel(parent);
    }
    if (id == ResourceType::deployments().id()) {
        return new DeploymentModel(parent);
    }
    if (id == ResourceType::statefulSets().id()) {
        return new StatefulSetModel(parent);
    }
    if (id == ResourceType::daemonSets().id()) {
        return new DaemonSetModel(parent);
    }
    if (id == ResourceType::jobs().id()) {
        return new JobModel(parent);
    }
    if (id == ResourceType::cronJobs().id()) {
        return new CronJobModel(parent);
    }
    if (id == ResourceType::services().id()) {
        return new ServiceModel(parent);
    }
    if (id == ResourceType::ingresses().id()) {
        return new IngressModel(parent);
    }
    if (id == ResourceType::configMaps().id()) {
        return new ConfigMapModel(parent);
    }
    if (id == ResourceType::secrets().id()) {
        return new SecretModel(parent);
    }
    if (id == ResourceType::persistentVolumeClaims().id()) {
        return new PvcModel(parent);
    }
    if (id == ResourceType::persistentVolumes().id()) {
        return new PvModel(parent);
    }
    if (id == ResourceType::storageClasses().id()) {
        return new StorageClassModel(parent);
    }
    if (id == ResourceType::nodes().id()) {
        return new NodeModel(parent);
    }
    if (id == ResourceType::namespaces().id()) {
        return new NamespaceModel(parent);
    }
    if (id == ResourceType::events().id()) {
        return new EventModel(parent);
    }
    return new TableModel(type, parent);
}

ResourceModel* ClusterSession::model(const ResourceType& type) {
    const QString id = type.id();
    if (auto it = m_feeds.constFind(id); it != m_feeds.constEnd()) {
        return it->model;
    }
    Feed feed;
    feed.model = createModel(type, this);
    Informer::Options options;
    options.type = type;
    options.decoder = feed.model->decoder();
    options.table = feed.model->wantsTable();
    feed.informer = new Informer(m_client, options, this);
    connect(feed.informer, &Informer::batchReady, feed.model, &ResourceModel::applyBatch);
    if (auto* table = qobject_cast<TableModel*>(feed.model)) {
        connect(feed.informer, &Informer::tableColumnsChanged, table,
                &TableModel::setColumnDefinitions);
    }
    connect(feed.informer, &Informer::synced, this, [this, type] {
        updateConnection();
        Q_EMIT synced(type);
    });
    m_feeds.insert(id, feed);
    feed.informer->start();
    return feed.model;
}

Informer* ClusterSession::informer(const ResourceType& type) const {
    return m_feeds.value(type.id()).informer;
}

bool ClusterSession::hasSynced(const ResourceType& type) const {
    Informer* i = informer(type);
    return i && i->hasSynced();
}

PodModel* ClusterSession::pods() {
    return static_cast<PodModel*>(model(ResourceType::pods()));
}
NodeModel* ClusterSession::nodes() {
    return static_cast<NodeModel*>(model(ResourceType::nodes()));
}
NamespaceModel* ClusterSession::namespaces() {
    return static_cast<NamespaceModel*>(model(ResourceType::namespaces()));
}
EventModel* ClusterSession::events() {
    return static_cast<EventModel*>(model(ResourceType::events()));
}
DeploymentModel* ClusterSession::deployments() {
    return static_cast<DeploymentModel*>(model(ResourceType::deployments()));
}
StatefulSetModel* ClusterSession::statefulSets() {
    return static_cast<StatefulSetModel*>(model(ResourceType::statefulSets()));
}
DaemonSetModel* ClusterSession::daemonSets() {
    return static_cast<DaemonSetModel*>(model(ResourceType::daemonSets()));
}

QString ClusterSession::connectionError() const {
    if (!m_client->lastError().isEmpty()) {
        return m_client->lastError();
    }
    for (const Feed& feed : m_feeds) {
        if (!feed.informer->lastError().isEmpty()) {
            return feed.informer->lastError();
        }
    }
    return m_discovery->lastError();
}

void ClusterSession::reconnectNow() {
    for (Feed& feed : m_feeds) {
        feed.informer->retryNow();
    }
}

void ClusterSession::probe() {
    delete m_probeContext;
    m_probeContext = new QObject(this);
    RequestOptions options;
    options.timeoutMs = ProbeIntervalMs * 2;
    // Any HTTP answer proves the server is back; the client's reachability signal does the rest.
    m_client->get(
        QStringLiteral("/readyz"), m_probeContext, [](const ApiResponse&) {}, options);
}

void ClusterSession::updateConnection() {
    Connection next = m_connection;
    if (!m_client->isReachable()) {
        next = Connection::Disconnected;
    } else {
        bool anySynced = std::any_of(m_feeds.begin(), m_feeds.end(),
                                     [](const Feed& feed) { return feed.informer->hasSynced(); });
        next =
            anySynced || m_discovery->isLoaded() ? Connection::Connected : Connection::Connecting;
    }
    if (next == Connection::Disconnected) {
        if (!m_probeTimer.isActive()) {
            m_probeTimer.start();
        }
    } else {
        m_probeTimer.stop();
    }
    if (next != m_connection) {
        m_connection = next;
        Q_EMIT connectionChanged(next);
    }
}

} // namespace pilot::gui
