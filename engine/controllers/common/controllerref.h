#pragma once

#include "core/error.h"
#include "kube/client/apiclient.h"
#include "kube/client/indexedcache.h"
#include "kube/labelselector.h"

#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::controllers {

/// The group/version and kind a controller writes into its dependents' owner references.
struct OwnerKind {
    std::string apiVersion; ///< `apps/v1`, `v1`.
    std::string kind;       ///< `ReplicaSet`, `Deployment`, ...
};

/// `{apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true}` for `owner`
/// (metav1.NewControllerRef).
[[nodiscard]] boost::json::object newControllerRef(const boost::json::object& owner,
                                                   const OwnerKind& kind);
/// The strategic-merge patch that makes `owner` the controller of the object `dependentUid`.
[[nodiscard]] std::string adoptPatch(const boost::json::object& owner, const OwnerKind& kind,
                                     std::string_view dependentUid);
/// The object of kind `kind` a dependent's controller reference `ref` names, from `owners`
/// (keyed `ns/name`), when its uid matches; null otherwise (upstream's resolveControllerRef).
[[nodiscard]] kube::ObjectPtr resolveControllerRef(const kube::IndexedCache& owners,
                                                   std::string_view kind, std::string_view ns,
                                                   const boost::json::object* ref);
/// A workload's `spec.selector` (a LabelSelector).
[[nodiscard]] Result<kube::LabelSelector> specSelector(const boost::json::object& owner);
/// The owners among `candidates` (those of the pod's namespace) whose non-empty selector
/// matches the pod's labels: the controllers to tell about an orphan pod (upstream's
/// getPodReplicaSets, getPodStatefulSets, getPodDaemonSets, getPodJobs).
[[nodiscard]] std::vector<kube::ObjectPtr> ownersSelecting(
    const std::vector<kube::ObjectPtr>& candidates, const boost::json::object& pod,
    const std::function<Result<kube::LabelSelector>(const boost::json::object&)>& selectorOf =
        specSelector);
/// Whether two versions of an object carry different labels (absent and `{}` are the same).
[[nodiscard]] bool labelsChanged(const boost::json::object& old, const boost::json::object& now);

/// What routeOwnedUpdate found: the controller the object now names (resolved and told), or
/// null; `orphan` when the object names none.
struct OwnedUpdate {
    kube::ObjectPtr owner;
    bool orphan = false;
};

/// Upstream's update handler for an object a controller owns (a pod of a ReplicaSet,
/// StatefulSet, DaemonSet or Job; a ReplicaSet of a Deployment; a Job of a CronJob):
/// - when the controller reference changed, the controller it named before is told;
/// - the controller it names now is told of every change, and returned;
/// - an orphan whose labels or reference changed goes to every owner `selecting` it (those
///   may adopt it).
/// `resolve` finds an owner from a namespace and a controller reference (null when it is gone
/// or its uid differs); `tell` queues an owner's sync.
[[nodiscard]] OwnedUpdate routeOwnedUpdate(
    const boost::json::object& old, const boost::json::object& now,
    const std::function<kube::ObjectPtr(std::string_view ns, const boost::json::object* ref)>&
        resolve,
    const std::function<std::vector<kube::ObjectPtr>(const boost::json::object&)>& selecting,
    const std::function<void(const kube::ObjectPtr& owner)>& tell);

/// The strategic-merge patch that removes the owner reference `ownerUid` from `dependentUid`.
[[nodiscard]] std::string releasePatch(std::string_view ownerUid, std::string_view dependentUid);

/// Claims dependents for one controller as upstream's ControllerRefManager does: objects it
/// controls that still match are kept; those that stopped matching are released (unless the
/// owner is being deleted); matching orphans that are not being deleted are adopted, after one
/// uncached read confirms the owner still exists under the same uid and is not being deleted.
/// Objects controlled by someone else are ignored. Not thread-safe; one per sync.
class ControllerRefManager {
public:
    ControllerRefManager(kube::ApiClient& client, const kube::ApiResource& ownerResource,
                         const kube::ApiResource& dependentResource,
                         const boost::json::object& owner, OwnerKind kind,
                         kube::LabelSelector selector);

    /// The candidates the owner controls after claiming, with adopted objects as the server
    /// returned them. Every candidate is processed; the first adopt/release failure (other
    /// than NotFound) is returned instead of the list, so the caller retries the sync.
    [[nodiscard]] Result<std::vector<kube::ObjectPtr>>
    claim(const std::vector<kube::ObjectPtr>& candidates);

private:
    [[nodiscard]] Status canAdopt();

    kube::ApiClient& m_client;
    const kube::ApiResource& m_ownerResource;
    const kube::ApiResource& m_dependentResource;
    const boost::json::object& m_owner;
    OwnerKind m_kind;
    kube::LabelSelector m_selector;
    std::optional<Status> m_canAdopt;
};

} // namespace pilot::controllers
