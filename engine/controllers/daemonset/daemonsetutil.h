#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "engine/controllers/common/controllerref.h"
#include "kube/client/indexedcache.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The DaemonSet controller's pure helpers (upstream pkg/controller/daemon/util and the
/// scheduling predicates of daemon_controller.go): which nodes run a daemon pod, the
/// tolerations and node affinity daemon pods get, revision labels, rolling-update budgets.
namespace pilot::controllers::daemonset {

/// On pods and revisions: the template hash of the revision they belong to.
inline constexpr std::string_view HashLabel = "controller-revision-hash";
/// On pods: the DaemonSet's template generation when they were created (deprecated upstream,
/// still written).
inline constexpr std::string_view TemplateGenerationLabel = "pod-template-generation";
/// Where the API server records a DaemonSet's template generation.
inline constexpr std::string_view TemplateGenerationAnnotation =
    "deprecated.daemonset.template.generation";

[[nodiscard]] const OwnerKind& daemonSetKind();

// --- Reading a DaemonSet. --------------------------------------------------------------------

[[nodiscard]] int64_t minReadySeconds(const boost::json::object& ds);
/// `spec.revisionHistoryLimit` (10 when absent).
[[nodiscard]] int64_t revisionHistoryLimit(const boost::json::object& ds);
[[nodiscard]] bool isRollingUpdate(const boost::json::object& ds);
/// The template generation from the annotation the API server keeps (GetTemplateGeneration);
/// nullopt without it or when it is not a number (pods then get no pod-template-generation).
[[nodiscard]] std::optional<int64_t> templateGeneration(const boost::json::object& ds);
/// RollingUpdate with a non-zero maxSurge.
[[nodiscard]] bool allowsSurge(const boost::json::object& ds);
/// maxSurge for `desired` nodes, percentages rounded up; 0 unless RollingUpdate.
[[nodiscard]] Result<int64_t> surgeCount(const boost::json::object& ds, int64_t desired);
/// maxUnavailable for `desired` nodes, percentages rounded up; 0 unless RollingUpdate.
[[nodiscard]] Result<int64_t> unavailableCount(const boost::json::object& ds, int64_t desired);

// --- Scheduling. -----------------------------------------------------------------------------

/// Adds the tolerations every daemon pod has (not-ready and unreachable NoExecute without
/// tolerationSeconds; disk-, memory- and pid-pressure and unschedulable NoSchedule; and
/// network-unavailable NoSchedule with hostNetwork), replacing equal ones.
void addDaemonPodTolerations(boost::json::object& podSpec);

struct NodeFit {
    bool shouldRun = false;             ///< A daemon pod should be placed on the node.
    bool shouldContinueRunning = false; ///< A daemon pod already there may stay.
};
/// Upstream NodeShouldRunDaemonPod: spec.template.spec.nodeName, nodeSelector and required
/// node affinity must match; a taint the pod does not tolerate stops new pods, and only a
/// NoExecute one evicts running pods.
[[nodiscard]] NodeFit nodeShouldRunDaemonPod(const boost::json::object& node,
                                             const boost::json::object& ds);

/// The template daemon pods are made from: the DaemonSet's, with the daemon tolerations and
/// the pod-template-generation and controller-revision-hash labels.
[[nodiscard]] boost::json::object createPodTemplate(const boost::json::object& ds,
                                                    std::optional<int64_t> generation,
                                                    const std::string& hash);
/// Makes the pod's required node affinity `metadata.name In [node]` (matchFields), keeping its
/// other affinity, so the scheduler binds it there.
void replaceNodeNameAffinity(boost::json::object& podSpec, const std::string& nodeName);
/// The node a daemon pod is on, or is meant for (its matchFields affinity) before binding.
[[nodiscard]] std::optional<std::string> targetNodeName(const boost::json::object& pod);

/// The pod carries the current hash, or the current template generation.
[[nodiscard]] bool isPodUpdated(const boost::json::object& pod, const std::string& hash,
                                std::optional<int64_t> generation);
/// Scheduled pods first, then oldest first, then by name.
void sortByCreationAndPhase(std::vector<kube::ObjectPtr>& pods);

} // namespace pilot::controllers::daemonset
