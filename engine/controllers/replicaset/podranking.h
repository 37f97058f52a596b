#pragma once

#include "core/clock.h"
#include "kube/client/indexedcache.h"

#include <boost/json/object.hpp>

#include <cstddef>
#include <vector>

namespace pilot::controllers {

/// A pod and how many active pods of its controller's family (the ReplicaSets of one
/// Deployment) share its node: a pod on a crowded node goes first.
struct RankedPod {
    kube::ObjectPtr pod;
    int rank = 0;
};

/// Whether `a` should be deleted before `b` when scaling down (upstream ActivePodsWithRanks,
/// with LogarithmicScaleDown): unscheduled before scheduled; Pending before Unknown before
/// Running; not ready before ready; lower `controller.kubernetes.io/pod-deletion-cost` first;
/// higher rank first; the more recently ready first; more container restarts first; the newer
/// first. Ready and creation times are compared on a log2 scale of their age at `now`, ties
/// broken by uid.
[[nodiscard]] bool deletesBefore(const RankedPod& a, const RankedPod& b, TimePoint now);

/// The `count` pods of `pods` to delete, in deletion order. `related` are the active and
/// inactive pods of the controller's family, used for ranking by node.
[[nodiscard]] std::vector<kube::ObjectPtr> podsToDelete(const std::vector<kube::ObjectPtr>& pods,
                                                        const std::vector<kube::ObjectPtr>& related,
                                                        size_t count, TimePoint now);

} // namespace pilot::controllers
