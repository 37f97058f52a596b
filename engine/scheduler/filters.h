#pragma once

#include "engine/scheduler/cyclestate.h"
#include "engine/scheduler/nodeinfo.h"
#include "engine/scheduler/podinfo.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pilot::scheduler {

/// The filter plugins, in upstream's default order; also bits of a plugin set.
enum class Plugin : uint32_t {
    NodeUnschedulable = 1u << 0,
    NodeName = 1u << 1,
    TaintToleration = 1u << 2,
    NodeAffinity = 1u << 3,
    NodePorts = 1u << 4,
    NodeResourcesFit = 1u << 5,
    PodTopologySpread = 1u << 6,
    InterPodAffinity = 1u << 7,
    VolumeBinding = 1u << 8,
};

/// A set of plugins (bitwise OR of Plugin values).
using PluginSet = uint32_t;

[[nodiscard]] constexpr PluginSet bit(Plugin p) {
    return static_cast<PluginSet>(p);
}

/// Why a node was rejected. UnschedulableAndUnresolvable means preemption cannot help there.
struct NodeStatus {
    enum class Code : uint8_t { Unschedulable, UnschedulableAndUnresolvable };
    Code code = Code::Unschedulable;
    Plugin plugin = Plugin::NodeResourcesFit;
    std::vector<std::string> reasons;
};

/// Upstream's filter failure reasons, verbatim.
namespace reasons {
inline constexpr const char* NodeUnschedulable = "node(s) were unschedulable";
inline constexpr const char* NodeName = "node(s) didn't match the requested node name";
inline constexpr const char* NodeAffinity = "node(s) didn't match Pod's node affinity/selector";
inline constexpr const char* NodePorts =
    "node(s) didn't have free ports for the requested pod ports";
inline constexpr const char* TooManyPods = "Too many pods";
inline constexpr const char* SpreadMissingLabel =
    "node(s) didn't match pod topology spread constraints (missing required label)";
inline constexpr const char* SpreadSkew = "node(s) didn't match pod topology spread constraints";
inline constexpr const char* AffinityRules = "node(s) didn't match pod affinity rules";
inline constexpr const char* AntiAffinityRules = "node(s) didn't match pod anti-affinity rules";
inline constexpr const char* ExistingAntiAffinity =
    "node(s) didn't satisfy existing pods anti-affinity rules";
} // namespace reasons

/// Requests of pods nominated to a node with at least the incoming pod's priority: they are
/// treated as already there (upstream RunFilterPluginsWithNominatedPods, for resources).
struct NominatedLoad {
    Resource requests;
    int64_t pods = 0;
};

/// Runs the filter plugins on one node in upstream order, stopping at the first that rejects.
/// Returns true when the node fits; otherwise fills `status`.
[[nodiscard]] bool filterNode(const CycleState& state, const NodeInfo& node,
                              const NominatedLoad* nominated, NodeStatus& status);

/// The NodeResourcesFit check alone: true when the pod fits, else false with the reasons in
/// `status`.
[[nodiscard]] bool fitsResources(const PodInfo& pod, const NodeInfo& node,
                                 const NominatedLoad* nominated, NodeStatus& status);

} // namespace pilot::scheduler
