#pragma once

#include "gui/editors/objectapplier.h"

#include <boost/json/object.hpp>

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <expected>

namespace pilot::gui {

/// One revision of a workload's pod template, as `kubectl rollout history` lists it: from a
/// ReplicaSet (Deployments) or a ControllerRevision (StatefulSets, DaemonSets) the workload
/// controls.
struct Revision {
    qint64 number = 0;
    QDateTime created;
    QString changeCause;             ///< `kubernetes.io/change-cause`, empty when unset
    QStringList images;              ///< of the containers, in order
    QString source;                  ///< the ReplicaSet or ControllerRevision name
    boost::json::object podTemplate; ///< without the `pod-template-hash` label
    bool current = false;
};

/// The revisions of `workload` (a Deployment, StatefulSet or DaemonSet) among `owned` (its
/// namespace's ReplicaSets or ControllerRevisions; the ones it does not control are ignored),
/// oldest first.
[[nodiscard]] QList<Revision> revisionsOf(const boost::json::object& workload,
                                          const QList<boost::json::object>& owned);

/// The request that rolls `workload` back to `revision`, as `kubectl rollout undo` sends it:
/// for a Deployment a JSON patch replacing `spec.template` (the ReplicaSet's, minus
/// `pod-template-hash`) and `metadata.annotations` (the revision's change-cause and other
/// annotations, the deployment.kubernetes.io bookkeeping kept); for a StatefulSet or DaemonSet
/// the ControllerRevision's data as a strategic merge patch.
struct RollbackRequest {
    ApiObjectRef target;
    PatchKind kind = PatchKind::Json;
    QByteArray body;
};

/// Why a rollback is not sent.
enum class RollbackRefusal { Paused, AlreadyCurrent, UnknownRevision };

[[nodiscard]] std::expected<RollbackRequest, RollbackRefusal>
rollbackTo(const boost::json::object& workload, const QList<boost::json::object>& owned,
           qint64 revision);

/// A rollout's progress against its desired replicas.
struct RolloutProgress {
    enum class State { Waiting, Progressing, Complete, Paused, Stalled };
    State state = State::Waiting;
    int desired = 0;
    int updated = 0;
    int ready = 0;
    int available = 0;
    int total = 0; ///< pods of every revision (old ones still terminating included)
};

/// The progress as `kubectl rollout status` judges it (observed generation, progress deadline,
/// updated/old/available replicas; StatefulSet and DaemonSet by their own status fields).
[[nodiscard]] RolloutProgress progressOf(const boost::json::object& workload);

} // namespace pilot::gui
