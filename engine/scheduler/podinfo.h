#pragma once

#include "core/clock.h"
#include "engine/scheduler/affinityterm.h"
#include "engine/scheduler/nodeselector.h"
#include "engine/scheduler/resources.h"
#include "engine/scheduler/taints.h"
#include "kube/client/indexedcache.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::scheduler {

/// The scheduler's name for pods it owns (`spec.schedulerName`).
inline constexpr std::string_view DefaultSchedulerName = "default-scheduler";
/// The node label every hostname-scoped topology uses.
inline constexpr std::string_view HostnameLabel = "kubernetes.io/hostname";

/// A host port a container asks for (`ports[].hostPort`).
struct HostPort {
    std::string ip = "0.0.0.0";
    std::string protocol = "TCP";
    int32_t port = 0;

    /// Upstream HostPortInfo.CheckConflict: same protocol and port, and the same IP or either
    /// side on 0.0.0.0.
    [[nodiscard]] bool conflicts(const HostPort& other) const;
};

/// A topologySpreadConstraint, with its selector already merged with matchLabelKeys.
struct SpreadConstraint {
    int32_t maxSkew = 1;
    std::string topologyKey;
    bool doNotSchedule = true; ///< whenUnsatisfiable DoNotSchedule (else ScheduleAnyway).
    kube::LabelSelector selector;
    int32_t minDomains = 1;
    bool honorNodeAffinity = true; ///< nodeAffinityPolicy Honor (default).
    bool honorNodeTaints = false;  ///< nodeTaintsPolicy Honor (default Ignore).
};

/// Everything the scheduler needs from one pod, parsed once from its JSON when the informer
/// delivers it. Immutable and shared (PodInfoPtr) between the queue, the cache and the binder.
struct PodInfo {
    kube::ObjectPtr object; ///< The pod as the informer delivered it.
    std::string uid;
    std::string ns;
    std::string name;
    std::string key; ///< `ns/name`
    std::string resourceVersion;
    std::string nodeName;             ///< Set once bound (or assumed).
    std::string schedulerName;        ///< Defaulted to default-scheduler.
    std::string nominatedNodeName;    ///< status.nominatedNodeName
    std::string preemptionPolicy;     ///< PreemptLowerPriority (default) or Never.
    int32_t priority = 0;             ///< spec.priority, or resolved from priorityClassName.
    bool terminating = false;         ///< metadata.deletionTimestamp set.
    bool finished = false;            ///< status.phase Succeeded or Failed.
    bool gated = false;               ///< spec.schedulingGates is not empty.
    TimePoint created;                ///< metadata.creationTimestamp
    std::optional<TimePoint> started; ///< status.startTime
    boost::json::object labels;

    PodRequests requests;
    std::vector<HostPort> hostPorts;
    std::vector<Toleration> tolerations;
    std::vector<std::pair<std::string, std::string>> nodeSelector; ///< spec.nodeSelector
    std::optional<NodeSelector> requiredNodeAffinity;
    std::vector<PreferredNodeTerm> preferredNodeAffinity;
    std::vector<AffinityTerm> requiredAffinity;
    std::vector<AffinityTerm> requiredAntiAffinity;
    std::vector<WeightedAffinityTerm> preferredAffinity;
    std::vector<WeightedAffinityTerm> preferredAntiAffinity;
    std::vector<SpreadConstraint> spreadConstraints;
    /// Container and init container images, `:latest` added when untagged (ImageLocality).
    std::vector<std::string> images;
    /// Why the spec could not be parsed (an invalid selector); such a pod fits nowhere.
    std::string parseError;

    [[nodiscard]] bool hasRequiredAntiAffinity() const { return !requiredAntiAffinity.empty(); }
    [[nodiscard]] bool hasAnyAffinity() const {
        return !requiredAffinity.empty() || !requiredAntiAffinity.empty() ||
               !preferredAffinity.empty() || !preferredAntiAffinity.empty();
    }
    /// Whether a node with these labels and name passes spec.nodeSelector and the required
    /// node affinity.
    [[nodiscard]] bool matchesNodeSelectorAndAffinity(const boost::json::object& nodeLabels,
                                                      std::string_view nodeName) const;
};

using PodInfoPtr = std::shared_ptr<const PodInfo>;

/// Resolves a priorityClassName to its value; nullopt when the class is unknown.
using PriorityResolver = std::function<std::optional<int32_t>(std::string_view className)>;

/// Parses a pod. `resolver` (may be empty) supplies spec.priority when only
/// spec.priorityClassName is set.
[[nodiscard]] PodInfoPtr makePodInfo(kube::ObjectPtr pod, const PriorityResolver& resolver = {});

/// A copy of `pod` placed on `nodeName` (what the cache assumes while binding).
[[nodiscard]] PodInfoPtr withNodeName(const PodInfoPtr& pod, std::string nodeName);

} // namespace pilot::scheduler
