#include "engine/scheduler/filters.h"
#include "engine/scheduler/volumebinding.h"

#include <fmt/format.h>

namespace pilot::scheduler {

namespace {

using Code = NodeStatus::Code;

bool reject(NodeStatus& status, Plugin plugin, Code code, std::string reason) {
    status.plugin = plugin;
    status.code = code;
    status.reasons.clear();
    status.reasons.push_back(std::move(reason));
    return false;
}

bool nodeUnschedulable(const PodInfo& pod, const NodeSpec& node, NodeStatus& status) {
    if (!node.unschedulable) {
        return true;
    }
    static const Taint unschedulableTaint{"node.kubernetes.io/unschedulable", "", "NoSchedule"};
    if (tolerated(pod.tolerations, unschedulableTaint)) {
        return true;
    }
    return reject(status, Plugin::NodeUnschedulable, Code::UnschedulableAndUnresolvable,
                  reasons::NodeUnschedulable);
}

bool taintToleration(const PodInfo& pod, const NodeSpec& node, NodeStatus& status) {
    if (node.taints.empty()) {
        return true;
    }
    const Taint* taint = firstUntoleratedTaint(node.taints, pod.tolerations);
    if (taint == nullptr) {
        return true;
    }
    return reject(
        status, Plugin::TaintToleration, Code::UnschedulableAndUnresolvable,
        fmt::format("node(s) had untolerated taint {{{}: {}}}", taint->key, taint->value));
}

bool interPodAffinity(const CycleState& s, const NodeSpec& node, NodeStatus& status) {
    const PodInfo& pod = *s.pod;
    if (!pod.requiredAffinity.empty()) {
        bool podsExist = true;
        for (const AffinityTerm& term : pod.requiredAffinity) {
            auto value = node.label(term.topologyKey);
            if (!value) {
                return reject(status, Plugin::InterPodAffinity, Code::UnschedulableAndUnresolvable,
                              reasons::AffinityRules);
            }
            if (s.affinity.get(term.topologyKey, *value) <= 0) {
                podsExist = false;
            }
        }
        // The first pod of a group with affinity to itself may go anywhere with the keys.
        if (!podsExist && !(s.affinity.empty() && s.podMatchesOwnAffinity)) {
            return reject(status, Plugin::InterPodAffinity, Code::UnschedulableAndUnresolvable,
                          reasons::AffinityRules);
        }
    }
    if (!s.antiAffinity.empty()) {
        for (const AffinityTerm& term : pod.requiredAntiAffinity) {
            auto value = node.label(term.topologyKey);
            if (value && s.antiAffinity.get(term.topologyKey, *value) > 0) {
                return reject(status, Plugin::InterPodAffinity, Code::Unschedulable,
                              reasons::AntiAffinityRules);
            }
        }
    }
    if (!s.existingAntiAffinity.empty() && s.existingAntiAffinity.anyOnNode(node)) {
        return reject(status, Plugin::InterPodAffinity, Code::Unschedulable,
                      reasons::ExistingAntiAffinity);
    }
    return true;
}

bool topologySpread(const CycleState& s, const NodeSpec& node, NodeStatus& status) {
    for (const SpreadFilterConstraint& c : s.spread) {
        auto value = node.label(c.constraint->topologyKey);
        if (!value) {
            return reject(status, Plugin::PodTopologySpread, Code::UnschedulableAndUnresolvable,
                          reasons::SpreadMissingLabel);
        }
        auto it = c.counts.find(std::string(*value));
        int matchNum = it == c.counts.end() ? 0 : it->second;
        int skew = matchNum + (c.selfMatch ? 1 : 0) - c.minMatch;
        if (skew > c.constraint->maxSkew) {
            return reject(status, Plugin::PodTopologySpread, Code::Unschedulable,
                          reasons::SpreadSkew);
        }
    }
    return true;
}

} // namespace

bool fitsResources(const PodInfo& pod, const NodeInfo& info, const NominatedLoad* nominated,
                   NodeStatus& status) {
    const Resource& want = pod.requests.requests;
    const Resource& allocatable = info.node()->allocatable;
    Resource used = info.requested();
    int64_t pods = static_cast<int64_t>(info.pods().size());
    if (nominated != nullptr) {
        used.add(nominated->requests);
        pods += nominated->pods;
    }
    status.reasons.clear();
    bool unresolvable = false;
    if (pods + 1 > allocatable.allowedPods) {
        status.reasons.emplace_back(reasons::TooManyPods);
    }
    if (!want.requestsNothing()) {
        auto check = [&](int64_t request, int64_t used_, int64_t capacity, const char* name) {
            if (request > 0 && request > capacity - used_) {
                status.reasons.push_back(fmt::format("Insufficient {}", name));
                unresolvable = unresolvable || request > capacity;
            }
        };
        check(want.milliCpu, used.milliCpu, allocatable.milliCpu, "cpu");
        check(want.memory, used.memory, allocatable.memory, "memory");
        check(want.ephemeralStorage, used.ephemeralStorage, allocatable.ephemeralStorage,
              "ephemeral-storage");
        for (const auto& [name, request] : want.scalars) {
            if (request == 0) {
                continue;
            }
            int64_t capacity = allocatable.scalar(name);
            if (request > capacity - used.scalar(name)) {
                status.reasons.push_back("Insufficient " + name);
                unresolvable = unresolvable || request > capacity;
            }
        }
    }
    if (status.reasons.empty()) {
        return true;
    }
    status.plugin = Plugin::NodeResourcesFit;
    status.code = unresolvable ? Code::UnschedulableAndUnresolvable : Code::Unschedulable;
    return false;
}

bool filterNode(const CycleState& state, const NodeInfo& info, const NominatedLoad* nominated,
                NodeStatus& status) {
    const PodInfo& pod = *state.pod;
    const NodeSpec& node = *info.node();
    if (!nodeUnschedulable(pod, node, status)) {
        return false;
    }
    if (!pod.nodeName.empty() && pod.nodeName != node.name) {
        return reject(status, Plugin::NodeName, Code::UnschedulableAndUnresolvable,
                      reasons::NodeName);
    }
    if (!taintToleration(pod, node, status)) {
        return false;
    }
    if ((!pod.nodeSelector.empty() || pod.requiredNodeAffinity) &&
        !pod.matchesNodeSelectorAndAffinity(node.labels, node.name)) {
        return reject(status, Plugin::NodeAffinity, Code::UnschedulableAndUnresolvable,
                      reasons::NodeAffinity);
    }
    if (!pod.hostPorts.empty() && info.portsConflict(pod.hostPorts)) {
        return reject(status, Plugin::NodePorts, Code::Unschedulable, reasons::NodePorts);
    }
    if (!fitsResources(pod, info, nominated, status)) {
        return false;
    }
    if (std::string reason; state.volumes != nullptr && state.volumeBinding != nullptr &&
                            !state.volumeBinding->filter(*state.volumes, node, reason)) {
        return reject(status, Plugin::VolumeBinding, Code::UnschedulableAndUnresolvable,
                      std::move(reason));
    }
    if (!state.spread.empty() && !topologySpread(state, node, status)) {
        return false;
    }
    if (state.checkAffinity && !interPodAffinity(state, node, status)) {
        return false;
    }
    return true;
}

} // namespace pilot::scheduler
