#pragma once

#include "engine/scheduler/cyclestate.h"
#include "engine/scheduler/fiterror.h"
#include "engine/scheduler/schedulercache.h"

#include "engine/scheduler/genericscheduler.h"

#include <optional>
#include <random>
#include <string>
#include <vector>

namespace pilot::scheduler {

/// What DefaultPreemption decided for a pod that fits nowhere.
struct PreemptionResult {
    /// The node the pod waits for (status.nominatedNodeName); empty when preemption cannot
    /// help, in which case `message` says why (the PostFilter message).
    std::string nominatedNode;
    std::vector<PodInfoPtr> victims; ///< To delete, highest priority first.
    /// Lower-priority pods nominated to the chosen node that lose their nomination.
    std::vector<PodInfoPtr> clearNominations;
    /// `preemption: ...` for the FailedScheduling message; empty when preemption succeeded.
    std::string message;
    /// Whether the pod's existing nominatedNodeName should be cleared.
    bool clearOwnNomination = false;
};

/// Upstream's DefaultPreemption PostFilter: find nodes where evicting lower-priority pods
/// makes room (dry runs that remove every lower-priority pod, then reprieve the most important
/// ones while the pod still fits), choose the node with the fewest and least important
/// victims, and report the victims. PodDisruptionBudgets are not considered.
class Preemptor {
public:
    explicit Preemptor(std::mt19937_64& random) : m_random(random) {}

    [[nodiscard]] PreemptionResult preempt(const PodInfo& pod, const CycleState& state,
                                           const Diagnosis& diagnosis, const SchedulerCache& cache);

private:
    struct Candidate {
        std::string node;
        std::vector<PodInfoPtr> victims;
    };

    /// SelectVictimsOnNode: fills `victims` and returns true, or returns false with `status`.
    bool selectVictims(const PodInfo& pod, const CycleState& state, const NodeInfo& node,
                       const SchedulerCache& cache, std::vector<PodInfoPtr>& victims,
                       NodeStatus& status);
    [[nodiscard]] size_t pickCandidate(const std::vector<Candidate>& candidates) const;

    std::mt19937_64& m_random;
};

/// One scheduling attempt including PostFilter (preemption) when the pod fits nowhere.
struct CycleOutcome {
    ScheduleResult result;
    std::optional<PreemptionResult> preemption; ///< Set when the pod fit nowhere.
    /// The FailedScheduling message (empty when a node was found).
    std::string message;
    /// The PodScheduled=False reason: Unschedulable or SchedulerError.
    std::string reason;
    PluginSet unschedulablePlugins = 0;
};

/// Runs GenericScheduler::schedule and, when the pod fits nowhere, the Preemptor, and builds
/// the FailedScheduling message exactly as kube-scheduler does.
[[nodiscard]] CycleOutcome scheduleWithPreemption(GenericScheduler& algorithm, Preemptor& preemptor,
                                                  const PodInfo& pod, const SchedulerCache& cache);

} // namespace pilot::scheduler
