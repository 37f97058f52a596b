#pragma once

#include "engine/scheduler/cyclestate.h"
#include "engine/scheduler/filters.h"
#include "engine/scheduler/fiterror.h"
#include "engine/scheduler/schedulercache.h"
#include "engine/scheduler/scoring.h"
#include "engine/scheduler/volumebinding.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace pilot::scheduler {

struct AlgorithmOptions {
    /// Share of the nodes to find feasible before scoring stops looking; 0 picks upstream's
    /// adaptive value (50% - nodes/125, at least 5%, at least 100 nodes).
    int32_t percentageOfNodesToScore = 0;
    ScoreWeights weights;
    uint64_t seed = 0; ///< 0: seeded from std::random_device.
};

/// The outcome of one scheduling attempt.
struct ScheduleResult {
    std::string node; ///< Empty when the pod fits nowhere.
    size_t numAllNodes = 0;
    size_t evaluatedNodes = 0;
    size_t feasibleNodes = 0;
    /// Set when the attempt failed for another reason than fit (e.g. no nodes at all).
    std::string error;
    Diagnosis diagnosis; ///< Why the pod fits nowhere (when node is empty and error is too).
    /// The pod's claims as VolumeBinding saw them (PreBind binds `toBind` to `node`).
    PodVolumes volumes;
};

/// Filter and score, kube-scheduler style: PreFilter once per pod, filter nodes from a rotating
/// start until enough feasible nodes are found (percentageOfNodesToScore), score those and
/// pick the best with a random tie-break. Works on a SchedulerCache owned by the caller's
/// thread.
class GenericScheduler {
public:
    explicit GenericScheduler(AlgorithmOptions options = {});

    [[nodiscard]] ScheduleResult schedule(const PodInfo& pod, const SchedulerCache& cache);
    /// Enables the VolumeBinding plugin (PreFilter and Filter) with these informers.
    void setVolumeBinding(const VolumeBinding* volumes) { m_volumes = volumes; }

    /// How many feasible nodes to look for among `numAllNodes`.
    [[nodiscard]] int32_t numFeasibleNodesToFind(int32_t numAllNodes) const;

    [[nodiscard]] const AlgorithmOptions& options() const { return m_options; }
    [[nodiscard]] std::mt19937_64& random() { return m_random; }

private:
    [[nodiscard]] size_t selectHost(const std::vector<int64_t>& totals);

    AlgorithmOptions m_options;
    const VolumeBinding* m_volumes = nullptr;
    size_t m_nextStartIndex = 0;
    std::mt19937_64 m_random;
};

/// Requests of the pods nominated to `node` with at least `pod`'s priority (other than `pod`).
/// Returns false when there are none.
[[nodiscard]] bool nominatedLoad(const PodInfo& pod, const std::string& node,
                                 const SchedulerCache& cache, NominatedLoad& load);

} // namespace pilot::scheduler
