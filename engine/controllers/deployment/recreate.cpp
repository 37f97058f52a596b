// The Recreate strategy (upstream pkg/controller/deployment/recreate.go): every old pod goes
// before the new set is created and scaled up.

#include "engine/controllers/deployment/deploymentcontroller.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

namespace pilot::controllers {
namespace json = boost::json;
using namespace deployment;

namespace {

/// Whether pods of the old sets may still be running (terminal pods do not count).
bool oldPodsRunning(const kube::ObjectPtr& newRS, const RsList& oldRSs,
                    const std::map<std::string, std::vector<kube::ObjectPtr>, std::less<>>& pods) {
    if (actualReplicaCount(oldRSs) > 0) {
        return true;
    }
    for (const auto& [uid, list] : pods) {
        if (newRS && kube::uid(*newRS) == uid) {
            continue;
        }
        for (const kube::ObjectPtr& pod : list) {
            std::string phase = kube::stringAt(kube::objectAt(*pod, "status"), "phase");
            if (phase != "Failed" && phase != "Succeeded") {
                return true;
            }
        }
    }
    return false;
}

} // namespace

Status DeploymentController::rolloutRecreate(json::object& d, const RsList& sets,
                                             const PodMap& pods) {
    // No new set yet: creating it now would scale up before the old pods are gone.
    auto current = allReplicaSetsAndSyncRevision(d, sets, false);
    if (!current) {
        return std::unexpected(current.error());
    }
    bool scaledDown = false;
    for (const kube::ObjectPtr& rs : filterActive(current->oldRSs)) {
        auto scaled = scaleReplicaSetAndRecordEvent(rs, 0, d);
        if (!scaled) {
            return std::unexpected(scaled.error());
        }
        scaledDown = scaledDown || scaled->first;
    }
    if (scaledDown) {
        return syncRolloutStatus(d, *current);
    }
    if (oldPodsRunning(current->newRS, current->oldRSs, pods)) {
        return syncRolloutStatus(d, *current);
    }
    if (!current->newRS) {
        current = allReplicaSetsAndSyncRevision(d, sets, true);
        if (!current) {
            return std::unexpected(current.error());
        }
    }
    if (auto scaled = scaleReplicaSetAndRecordEvent(current->newRS, replicas(d), d); !scaled) {
        return std::unexpected(scaled.error());
    }
    if (deploymentComplete(d, DeploymentStatus::of(d))) {
        if (Status cleaned = cleanupDeployment(current->oldRSs, d); !cleaned) {
            return cleaned;
        }
    }
    return syncRolloutStatus(d, *current);
}

} // namespace pilot::controllers
