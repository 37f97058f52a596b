#pragma once

#include "engine/controllers/framework/controller.h"
#include "kube/client/indexedcache.h"

#include <boost/json/object.hpp>

#include <string_view>
#include <vector>

namespace pilot::controllers {

/// How a controller that owns pods (ReplicaSet, StatefulSet, DaemonSet) finds a pod's owner:
/// by its controller reference or, for an orphan, by selector.
class PodOwnerLookup {
public:
    virtual ~PodOwnerLookup() = default;
    /// The owner a controller reference names, if it is one of ours and still the same object.
    [[nodiscard]] virtual kube::ObjectPtr
    resolveControllerRef(std::string_view ns, const boost::json::object* ref) const = 0;
    /// Owners in the pod's namespace whose selector matches its labels.
    [[nodiscard]] virtual std::vector<kube::ObjectPtr>
    setsSelecting(const boost::json::object& pod) const = 0;
};

/// The pod update handling those controllers share once their own checks are done:
/// routeOwnedUpdate with `owners` (each owner to tell queued on `queue`), then, when the pod just
/// turned ready under an owner with minReadySeconds, one more look at that owner once the pod
/// counts as available (availabilityRecheck).
void routePodUpdate(const PodOwnerLookup& owners, QueueController& queue,
                    const boost::json::object& old, const boost::json::object& pod);

} // namespace pilot::controllers
