// DaemonSetController: RollingUpdate, within maxUnavailable (delete old pods, the manage step
// creates new ones) or maxSurge (create new pods beside old ones, delete the old once the new
// are available).

#include "engine/controllers/daemonset/daemonsetcontroller.h"

#include "engine/controllers/common/podutil.h"
#include "engine/controllers/daemonset/daemonsetutil.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <algorithm>

namespace pilot::controllers {
namespace json = boost::json;
using namespace daemonset;

namespace {

struct NodeUpdate {
    kube::ObjectPtr newPod;
    kube::ObjectPtr oldPod;
    bool ok = true; ///< False with more than one new or one old pod (the manage step fixes it).
};

NodeUpdate findUpdatedPodsOnNode(const json::object& ds, const std::vector<kube::ObjectPtr>& pods,
                                 const std::string& hash) {
    NodeUpdate out;
    const std::optional<int64_t> generation = templateGeneration(ds);
    for (const kube::ObjectPtr& pod : pods) {
        if (kube::hasDeletionTimestamp(*pod)) {
            continue;
        }
        kube::ObjectPtr& slot = isPodUpdated(*pod, hash, generation) ? out.newPod : out.oldPod;
        if (slot) {
            return NodeUpdate{nullptr, nullptr, false};
        }
        slot = pod;
    }
    return out;
}

} // namespace

Status DaemonSetController::rollingUpdate(const json::object& ds,
                                          const std::vector<kube::ObjectPtr>& nodes,
                                          const PodList& pods, const std::string& hash) {
    NodePods nodePods = nodeToDaemonPods(pods, false);
    // Desired nodes without pods count too (as unavailable).
    int64_t desired = 0;
    std::map<std::string, kube::ObjectPtr, std::less<>> nodesByName;
    for (const kube::ObjectPtr& node : nodes) {
        nodesByName.emplace(kube::name(*node), node);
        if (!nodeShouldRunDaemonPod(*node, ds).shouldRun) {
            continue;
        }
        ++desired;
        nodePods.try_emplace(std::string(kube::name(*node)));
    }
    auto maxUnavailableResult = unavailableCount(ds, desired);
    if (!maxUnavailableResult) {
        return std::unexpected(maxUnavailableResult.error());
    }
    auto maxSurgeResult = surgeCount(ds, desired);
    if (!maxSurgeResult) {
        return std::unexpected(maxSurgeResult.error());
    }
    int64_t maxUnavailable = *maxUnavailableResult;
    const int64_t maxSurge = *maxSurgeResult;
    if (desired > 0 && maxUnavailable == 0 && maxSurge == 0) {
        maxUnavailable = 1; // An impossible configuration: accept unavailability.
    }
    const TimePoint now = m_clock.now();
    const int64_t minReady = minReadySeconds(ds);
    auto available = [&](const kube::ObjectPtr& pod) {
        return isPodAvailable(*pod, minReady, now);
    };
    auto shouldRun = [&](const std::string& nodeName) {
        auto it = nodesByName.find(nodeName);
        return it != nodesByName.end() && nodeShouldRunDaemonPod(*it->second, ds).shouldRun;
    };

    if (maxSurge == 0) {
        // Delete just enough old pods to stay within maxUnavailable; the manage step creates
        // their replacements.
        int64_t unavailable = 0;
        std::vector<std::string> replacements;
        std::vector<std::string> candidates;
        for (const auto& [nodeName, onNode] : nodePods) {
            NodeUpdate update = findUpdatedPodsOnNode(ds, onNode, hash);
            if (!update.ok) {
                ++unavailable; // Excess pods: the manage step cleans up first.
                continue;
            }
            if (!update.oldPod) {
                // No pod, or an updated one that may not be available yet.
                if (!update.newPod || !available(update.newPod)) {
                    ++unavailable;
                }
                continue;
            }
            if (update.newPod) {
                ++unavailable; // Old and new: the manage step sorts it out.
                continue;
            }
            if (!available(update.oldPod)) {
                replacements.emplace_back(kube::name(*update.oldPod));
                ++unavailable;
            } else if (unavailable < maxUnavailable) {
                candidates.emplace_back(kube::name(*update.oldPod));
            }
        }
        int64_t remaining = std::clamp<int64_t>(maxUnavailable - unavailable, 0,
                                                static_cast<int64_t>(candidates.size()));
        std::vector<std::string> toDelete = replacements;
        toDelete.insert(toDelete.end(), candidates.begin(), candidates.begin() + remaining);
        return syncNodes(ds, toDelete, {}, hash);
    }

    // Surge: a new pod next to an unavailable old one at once, next to available old ones up
    // to maxSurge; an old pod goes once the new one on its node is available.
    std::vector<std::string> oldToDelete;
    std::vector<std::string> shouldNotRunToDelete;
    std::vector<std::string> candidateNodes;
    std::vector<std::string> allowedNodes;
    int64_t surging = 0;
    int64_t availableCount = 0;
    for (const auto& [nodeName, onNode] : nodePods) {
        NodeUpdate update = findUpdatedPodsOnNode(ds, onNode, hash);
        if (!update.ok) {
            ++surging;
            continue;
        }
        if (update.oldPod ? available(update.oldPod) : update.newPod && available(update.newPod)) {
            ++availableCount;
        }
        if (!update.oldPod) {
            continue; // Nothing old here; the manage step handles the node.
        }
        if (!update.newPod) {
            if (!available(update.oldPod)) {
                if (!shouldRun(nodeName)) {
                    oldToDelete.emplace_back(kube::name(*update.oldPod));
                    continue;
                }
                allowedNodes.push_back(nodeName);
                continue;
            }
            if (!shouldRun(nodeName)) {
                shouldNotRunToDelete.emplace_back(kube::name(*update.oldPod));
                continue;
            }
            if (surging < maxSurge) {
                candidateNodes.push_back(nodeName);
            }
            continue;
        }
        if (!available(update.newPod)) {
            ++surging; // Waiting for the new pod here.
            continue;
        }
        oldToDelete.emplace_back(kube::name(*update.oldPod));
    }
    // Pods on nodes that should no longer run one go only while enough pods are available
    // elsewhere.
    if (int64_t deletable = availableCount - desired; deletable > 0) {
        deletable = std::min<int64_t>(deletable, static_cast<int64_t>(shouldNotRunToDelete.size()));
        oldToDelete.insert(oldToDelete.end(), shouldNotRunToDelete.begin(),
                           shouldNotRunToDelete.begin() + deletable);
    }
    int64_t remaining =
        std::clamp<int64_t>(maxSurge - surging, 0, static_cast<int64_t>(candidateNodes.size()));
    std::vector<std::string> toCreate = allowedNodes;
    toCreate.insert(toCreate.end(), candidateNodes.begin(), candidateNodes.begin() + remaining);
    return syncNodes(ds, oldToDelete, toCreate, hash);
}

} // namespace pilot::controllers
