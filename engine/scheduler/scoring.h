#pragma once

#include "engine/scheduler/nodeinfo.h"
#include "engine/scheduler/podinfo.h"
#include "engine/scheduler/schedulercache.h"

#include <cstdint>
#include <vector>

namespace pilot::scheduler {

/// The highest score a plugin gives a node.
inline constexpr int64_t MaxNodeScore = 100;

/// Upstream's default score plugins and weights.
struct ScoreWeights {
    int64_t taintToleration = 3;
    int64_t nodeAffinity = 2;
    int64_t podTopologySpread = 2;
    int64_t interPodAffinity = 2;
    int64_t nodeResourcesFit = 1; ///< LeastAllocated over cpu and memory.
    int64_t balancedAllocation = 1;
    int64_t imageLocality = 1;
};

/// One plugin's normalized scores (0..MaxNodeScore) per feasible node, before weighting.
struct PluginScores {
    std::vector<int64_t> taintToleration;
    std::vector<int64_t> nodeAffinity;
    std::vector<int64_t> podTopologySpread;
    std::vector<int64_t> interPodAffinity;
    std::vector<int64_t> nodeResourcesFit;
    std::vector<int64_t> balancedAllocation;
    std::vector<int64_t> imageLocality;
};

/// Scores the feasible nodes for `pod`: every plugin's score is normalized to 0..100 as
/// upstream does, weighted and summed into `totals` (one per node). `details`, when given,
/// receives the per-plugin scores (tests).
void scoreNodes(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                const SchedulerCache& cache, const ScoreWeights& weights,
                std::vector<int64_t>& totals, PluginScores* details = nullptr);

// Single-node scorers, exposed for tests.
[[nodiscard]] int64_t leastAllocatedScore(const PodInfo& pod, const NodeInfo& node);
[[nodiscard]] int64_t balancedAllocationScore(const PodInfo& pod, const NodeInfo& node);

} // namespace pilot::scheduler
