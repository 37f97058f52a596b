#pragma once

#include "engine/scheduler/filters.h"

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace pilot::scheduler {

/// Why a pod fits nowhere: the rejected nodes with their statuses, the plugins that rejected
/// it and any PreFilter / PostFilter (preemption) message (upstream framework.Diagnosis).
struct Diagnosis {
    std::vector<std::pair<std::string, NodeStatus>> nodeStatuses; ///< node name -> status
    PluginSet unschedulablePlugins = 0;
    std::string preFilterMessage;
    std::string postFilterMessage;
};

/// Upstream FitError.Error(): `0/N nodes are available: <counted reasons, sorted>.` followed by
/// the PreFilter message instead of the reasons when PreFilter failed, then the PostFilter
/// (preemption) message, e.g. `0/3 nodes are available: 1 node(s) had untolerated taint
/// {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are
/// available: 3 No preemption victims found for incoming pod.`
[[nodiscard]] std::string fitErrorMessage(size_t numAllNodes, const Diagnosis& diagnosis);

/// The histogram part alone: `"<count> <reason>"` entries sorted as strings, joined by ", ".
[[nodiscard]] std::string
reasonHistogram(const std::vector<std::pair<std::string, NodeStatus>>& statuses);

} // namespace pilot::scheduler
