// The RollingUpdate strategy (upstream pkg/controller/deployment/rolling.go): scale the new set
// up within maxSurge, old sets down within maxUnavailable, one step per sync.

#include "engine/controllers/deployment/deploymentcontroller.h"

#include "kube/objectmeta.h"

#include <fmt/format.h>

namespace pilot::controllers {
namespace json = boost::json;
using namespace deployment;

Status DeploymentController::rolloutRolling(json::object& d, const RsList& sets) {
    auto current = allReplicaSetsAndSyncRevision(d, sets, true);
    if (!current) {
        return std::unexpected(current.error());
    }
    const RsList all = current->all();

    auto scaledUp = reconcileNewReplicaSet(all, current->newRS, d);
    if (!scaledUp) {
        return std::unexpected(scaledUp.error());
    }
    if (*scaledUp) {
        return syncRolloutStatus(d, *current);
    }
    auto scaledDown =
        reconcileOldReplicaSets(all, filterActive(current->oldRSs), current->newRS, d);
    if (!scaledDown) {
        return std::unexpected(scaledDown.error());
    }
    if (*scaledDown) {
        return syncRolloutStatus(d, *current);
    }
    if (deploymentComplete(d, DeploymentStatus::of(d))) {
        if (Status cleaned = cleanupDeployment(current->oldRSs, d); !cleaned) {
            return cleaned;
        }
    }
    return syncRolloutStatus(d, *current);
}

Result<bool> DeploymentController::reconcileNewReplicaSet(const RsList& all,
                                                          const kube::ObjectPtr& newRS,
                                                          const json::object& d) {
    if (replicas(*newRS) == replicas(d)) {
        return false;
    }
    if (replicas(*newRS) > replicas(d)) {
        auto scaled = scaleReplicaSetAndRecordEvent(newRS, replicas(d), d);
        if (!scaled) {
            return std::unexpected(scaled.error());
        }
        return scaled->first;
    }
    auto count = newRSNewReplicas(d, all, *newRS);
    if (!count) {
        return std::unexpected(count.error());
    }
    auto scaled = scaleReplicaSetAndRecordEvent(newRS, *count, d);
    if (!scaled) {
        return std::unexpected(scaled.error());
    }
    return scaled->first;
}

Result<bool> DeploymentController::reconcileOldReplicaSets(const RsList& all, RsList oldRSs,
                                                           const kube::ObjectPtr& newRS,
                                                           const json::object& d) {
    if (replicaCount(oldRSs) == 0) {
        return false; // Nothing left to scale down.
    }
    const int64_t allPods = replicaCount(all);
    const int64_t minAvailable = replicas(d) - maxUnavailable(d);
    const int64_t newUnavailable = replicas(*newRS) - statusInt(*newRS, "availableReplicas");
    // Room to scale down without going below minAvailable, counting the new set's pods that
    // are not available yet as unavailable.
    const int64_t maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) {
        return false;
    }
    // Unhealthy old replicas first, so they cannot block the rollout.
    auto cleaned = cleanupUnhealthyReplicas(oldRSs, d, maxScaledDown);
    if (!cleaned) {
        return std::unexpected(cleaned.error());
    }
    RsList updatedAll = oldRSs;
    updatedAll.push_back(newRS);
    auto scaledDown = scaleDownOldReplicaSetsForRollingUpdate(updatedAll, oldRSs, d);
    if (!scaledDown) {
        return std::unexpected(scaledDown.error());
    }
    return *cleaned + *scaledDown > 0;
}

Result<int64_t> DeploymentController::cleanupUnhealthyReplicas(RsList& oldRSs,
                                                               const json::object& d,
                                                               int64_t maxCleanup) {
    sortByCreation(oldRSs);
    int64_t total = 0;
    for (kube::ObjectPtr& rs : oldRSs) {
        if (total >= maxCleanup) {
            break;
        }
        const int64_t size = replicas(*rs);
        const int64_t available = statusInt(*rs, "availableReplicas");
        if (size == 0 || size == available) {
            continue; // Nothing to scale, or nothing unhealthy.
        }
        const int64_t count = std::min(maxCleanup - total, size - available);
        const int64_t newSize = size - count;
        if (newSize > size) {
            // The set's status is behind its spec (more available than wanted): the cache is
            // stale, so retry like a conflict rather than act on it.
            return fail(ErrorCode::Conflict,
                        fmt::format("when cleaning up unhealthy replicas, got invalid request to "
                                    "scale down {}/{} {} -> {}",
                                    kube::namespaceOf(*rs), kube::name(*rs), size, newSize));
        }
        auto scaled = scaleReplicaSetAndRecordEvent(rs, newSize, d);
        if (!scaled) {
            return std::unexpected(scaled.error());
        }
        total += count;
        rs = scaled->second;
    }
    return total;
}

Result<int64_t>
DeploymentController::scaleDownOldReplicaSetsForRollingUpdate(const RsList& all, RsList oldRSs,
                                                              const json::object& d) {
    const int64_t minAvailable = replicas(d) - maxUnavailable(d);
    const int64_t available = availableReplicaCount(all);
    if (available <= minAvailable) {
        return 0;
    }
    sortByCreation(oldRSs);
    const int64_t wanted = available - minAvailable;
    int64_t total = 0;
    for (const kube::ObjectPtr& rs : oldRSs) {
        if (total >= wanted) {
            break;
        }
        if (replicas(*rs) == 0) {
            continue;
        }
        const int64_t count = std::min(replicas(*rs), wanted - total);
        const int64_t newSize = replicas(*rs) - count;
        auto scaled = scaleReplicaSetAndRecordEvent(rs, newSize, d);
        if (!scaled) {
            return std::unexpected(scaled.error());
        }
        total += count;
    }
    return total;
}

} // namespace pilot::controllers
