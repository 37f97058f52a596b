#pragma once

#include "gui/client/apidiscovery.h"
#include "gui/client/connectionconfig.h"
#include "gui/client/informer.h"
#include "gui/client/kubeclient.h"
#include "gui/models/resourcemodel.h"

#include <QHash>
#include <QObject>
#include <QTimer>

namespace pilot::gui {

class PodModel;
class NodeModel;
class NamespaceModel;
class EventModel;
class DeploymentModel;
class StatefulSetModel;
class DaemonSetModel;

/// One open cluster: its client, API discovery, and one informer-fed model per resource kind,
/// created on first use and kept up to date until the session closes. Tracks the connection:
/// when the API server stops answering the models keep their rows, a probe checks every few
/// seconds, and every informer resumes at once when the server is back. GUI thread only.
class ClusterSession : public QObject {
    Q_OBJECT
public:
    enum class Connection { Connecting, Connected, Disconnected };
    Q_ENUM(Connection)

    explicit ClusterSession(ConnectionConfig config, QObject* parent = nullptr);
    ~ClusterSession() override;

    /// Starts discovery and the informers the dashboard and navigation need.
    void start();

    [[nodiscard]] QString name() const { return m_config.contextName; }
    [[nodiscard]] const ConnectionConfig& config() const { return m_config; }
    [[nodiscard]] KubeClient* client() const { return m_client; }
    [[nodiscard]] ApiDiscovery* discovery() const { return m_discovery; }

    /// The model of a resource, created (and its informer started) on first use.
    [[nodiscard]] ResourceModel* model(const ResourceType& type);
    [[nodiscard]] Informer* informer(const ResourceType& type) const;
    [[nodiscard]] bool hasSynced(const ResourceType& type) const;

    [[nodiscard]] PodModel* pods();
    [[nodiscard]] NodeModel* nodes();
    [[nodiscard]] NamespaceModel* namespaces();
    [[nodiscard]] EventModel* events();
    [[nodiscard]] DeploymentModel* deployments();
    [[nodiscard]] StatefulSetModel* statefulSets();
    [[nodiscard]] DaemonSetModel* daemonSets();

    [[nodiscard]] Connection connection() const { return m_connection; }
    [[nodiscard]] QString connectionError() const;
    /// Retries everything now instead of waiting for the back-off.
    void reconnectNow();

    /// Creates the typed model for a built-in kind, or a TableModel for anything else.
    [[nodiscard]] static ResourceModel* createModel(const ResourceType& type,
                                                    QObject* parent = nullptr);

Q_SIGNALS:
    void connectionChanged(pilot::gui::ClusterSession::Connection connection);
    void discoveryUpdated();
    /// A model's informer finished its first list.
    void synced(const pilot::gui::ResourceType& type);

private:
    struct Feed {
        ResourceModel* model = nullptr;
        Informer* informer = nullptr;
    };
    void updateConnection();
    void probe();

    ConnectionConfig m_config;
    KubeClient* m_client = nullptr;
    ApiDiscovery* m_discovery = nullptr;
    QHash<QString, Feed> m_feeds; ///< By ResourceType::id().
    Connection m_connection = Connection::Connecting;
    QTimer m_probeTimer;
    QTimer m_discoveryTimer;
    QObject* m_probeContext = nullptr;
};

} // namespace pilot::gui
