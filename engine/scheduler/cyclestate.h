#pragma once

#include "engine/scheduler/nodeinfo.h"
#include "engine/scheduler/podinfo.h"
#include "engine/scheduler/schedulercache.h"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pilot::scheduler {

struct PodVolumes;
class VolumeBinding;

/// Pod counts per topology pair: topology key -> value -> count.
class TopologyCounts {
public:
    void add(const std::string& key, std::string_view value, int delta);
    [[nodiscard]] int get(const std::string& key, std::string_view value) const;
    [[nodiscard]] bool empty() const { return m_counts.empty(); }
    /// Whether any topology pair of the node has a positive count.
    [[nodiscard]] bool anyOnNode(const NodeSpec& node) const;

private:
    std::unordered_map<std::string, std::unordered_map<std::string, int>> m_counts;
};

/// One DoNotSchedule spread constraint with the matching pods counted per domain.
struct SpreadFilterConstraint {
    const SpreadConstraint* constraint = nullptr;
    std::unordered_map<std::string, int> counts; ///< domain (topology value) -> matching pods
    int minMatch = 0;                            ///< the global minimum over the domains
    bool selfMatch = false;                      ///< the incoming pod matches its selector
};

/// What PreFilter computes once per scheduling attempt so each node is checked in O(terms):
/// inter-pod (anti-)affinity counts and topology spread domains (upstream's preFilterState of
/// InterPodAffinity and PodTopologySpread). Preemption copies it and applies updateWithPod for
/// the pods it evicts in its dry runs.
struct CycleState {
    const PodInfo* pod = nullptr;
    const boost::json::object* nsLabels = nullptr; ///< Labels of the pod's namespace.

    bool checkAffinity = false;          ///< Skip InterPodAffinity when nothing can reject the pod.
    TopologyCounts existingAntiAffinity; ///< existing pods whose anti-affinity selects the pod
    TopologyCounts affinity;             ///< existing pods matching all required affinity terms
    TopologyCounts antiAffinity;         ///< existing pods matching the pod's anti-affinity
    bool podMatchesOwnAffinity = false;

    std::vector<SpreadFilterConstraint> spread;

    /// VolumeBinding's PreFilter result, when the pod has claims to check (else null).
    const PodVolumes* volumes = nullptr;
    const VolumeBinding* volumeBinding = nullptr;

    /// Accounts an existing pod added to (`sign` 1) or removed from (-1) `node`.
    void updateWithPod(const PodInfo& existing, const NodeSpec& node, int sign,
                       const SchedulerCache& cache);
};

/// PreFilter for `pod` over the cache.
[[nodiscard]] CycleState prepareCycle(const PodInfo& pod, const SchedulerCache& cache);

/// Whether a node takes part in spreading for the constraint (nodeAffinityPolicy and
/// nodeTaintsPolicy) and carries every topology key of the pod's DoNotSchedule constraints.
[[nodiscard]] bool spreadEligible(const PodInfo& pod, const SpreadConstraint& constraint,
                                  const NodeSpec& node);

} // namespace pilot::scheduler
