#include "gui/app/clustermanager.h"

#include "gui/models/clustersession.h"

namespace pilot::gui {

ClusterManager::ClusterManager(QStringList files, bool required, LocalCluster::Options local,
                               QObject* parent)
    : QObject(parent), m_files(std::move(files)), m_required(required) {
    m_local = new LocalCluster(std::move(local), this);
    connect(m_local, &LocalCluster::engineStarted, this, &ClusterManager::onLocalEngineStarted);
    reload();
}

ClusterManager::~ClusterManager() {
    qDeleteAll(m_sessions);
}

void ClusterManager::reload() {
    auto set = KubeconfigSet::load(m_files, m_required);
    if (set) {
        m_kubeconfig = *set;
        m_loadError.clear();
    } else {
        m_loadError = set.error();
    }
    Q_EMIT contextsChanged();
}

void ClusterManager::addFile(const QString& path) {
    if (!m_files.contains(path)) {
        m_files.prepend(path); // the file the user just picked wins name clashes
    }
    reload();
}

QList<ContextInfo> ClusterManager::contexts() const {
    QList<ContextInfo> out = m_kubeconfig.contexts();
    if (m_localConfig) {
        ContextInfo local;
        local.name = m_localConfig->contextName;
        local.cluster = m_localConfig->clusterName;
        local.user = m_localConfig->userName;
        local.server = m_localConfig->server.toString();
        local.sourceFile = m_local->kubeconfig();
        out.prepend(local);
    }
    return out;
}

ClusterSession* ClusterManager::open(const QString& context, QString* error) {
    if (ClusterSession* existing = m_sessions.value(context)) {
        return existing;
    }
    ConnectionConfig config;
    if (m_localConfig && context == m_localConfig->contextName) {
        config = *m_localConfig;
    } else {
        auto resolved = m_kubeconfig.resolve(context);
        if (!resolved) {
            if (error) {
                *error = resolved.error();
            }
            return nullptr;
        }
        config = *resolved;
    }
    auto* session = new ClusterSession(config, this);
    m_sessions.insert(context, session);
    session->start();
    Q_EMIT sessionOpened(context, session);
    return session;
}

void ClusterManager::close(const QString& context) {
    ClusterSession* session = m_sessions.take(context);
    if (!session) {
        return;
    }
    Q_EMIT sessionClosed(context);
    session->deleteLater();
}

ClusterSession* ClusterManager::session(const QString& context) const {
    return m_sessions.value(context);
}

void ClusterManager::startLocal() {
    m_local->start();
}

void ClusterManager::stopLocal() {
    m_local->stop();
}

void ClusterManager::onLocalEngineStarted(const QString& kubeconfig) {
    auto set = KubeconfigSet::load({kubeconfig}, true);
    if (!set) {
        return;
    }
    auto config = set->resolve();
    if (!config) {
        return;
    }
    config->contextName = LocalCluster::contextName();
    // A restarted engine listens on a new port: reopen with the new address.
    bool wasOpen = m_sessions.contains(config->contextName);
    if (wasOpen) {
        close(config->contextName);
    }
    m_localConfig = *config;
    Q_EMIT contextsChanged();
    if (open(config->contextName)) {
        Q_EMIT localOpened(config->contextName);
    }
}

} // namespace pilot::gui
