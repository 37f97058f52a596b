#pragma once

#include "gui/client/objectrecord.h"
#include "gui/client/workloadcommands.h"

#include <boost/json/object.hpp>

#include <QHash>
#include <QPointer>
#include <QWidget>

namespace pilot::gui {

class ClusterSession;
class Informer;
class RolloutHistoryWidget;

/// The Rollout tab of a Deployment, StatefulSet or DaemonSet detail: RolloutHistoryWidget fed
/// live with the workload from its model and with the ReplicaSets (Deployments) or
/// ControllerRevisions (the others) of its namespace that carry its selector's labels, from an
/// informer of its own that lives as long as the tab. Rollbacks go through the session's
/// ClientApplier.
class RolloutTab : public QWidget {
    Q_OBJECT
public:
    RolloutTab(ClusterSession* session, ObjectRef ref, QWidget* parent = nullptr);

    [[nodiscard]] RolloutHistoryWidget* history() const { return m_history; }
    /// Whether the tab applies to a kind.
    [[nodiscard]] static bool appliesTo(const ResourceType& type);

private:
    void onWorkloadChanged();
    void onBatch(const RecordBatch& batch);
    void startOwnedInformer(const QString& labelSelector);

    QPointer<ClusterSession> m_session;
    ObjectRef m_ref;
    RolloutHistoryWidget* m_history = nullptr;
    Informer* m_owned = nullptr;
    QString m_shownVersion;
    QHash<QString, boost::json::object> m_objects; ///< Owned candidates by key.
};

} // namespace pilot::gui
