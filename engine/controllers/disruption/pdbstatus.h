#pragma once

#include "core/clock.h"
#include "kube/client/indexedcache.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

/// The arithmetic of a PodDisruptionBudget's status, as upstream's disruption controller and
/// pdbhelper compute it; no API access.
namespace pilot::controllers::disruption {

/// How long an eviction recorded in `status.disruptedPods` keeps its pod out of currentHealthy
/// while the pod is not deleted (upstream DeletionTimeout).
inline constexpr std::chrono::minutes DeletionTimeout{2};

/// buildDisruptedPodMap: the recorded evictions of pods still there, not terminating and not
/// yet expired (times as written), when the earliest of them expires, and the pods whose
/// eviction expired without their deletion.
struct DisruptedPods {
    std::map<std::string, std::string> entries;
    std::optional<TimePoint> recheckAt;
    std::vector<std::string> notDeleted;
};
[[nodiscard]] DisruptedPods buildDisruptedPods(const std::vector<kube::ObjectPtr>& pods,
                                               const boost::json::object& pdb, TimePoint now);

/// Ready pods that are neither terminating nor recently evicted.
[[nodiscard]] int64_t countHealthyPods(const std::vector<kube::ObjectPtr>& pods,
                                       const std::map<std::string, std::string>& disrupted,
                                       TimePoint now);

/// What the controller wants in `status`.
struct BudgetNumbers {
    int64_t currentHealthy = 0;
    int64_t desiredHealthy = 0;
    int64_t expectedPods = 0;
    std::map<std::string, std::string> disruptedPods;

    /// currentHealthy - desiredHealthy, but 0 while no pod is expected.
    [[nodiscard]] int64_t disruptionsAllowed() const;
};

/// Whether the budget's status already says exactly this (nothing to write).
[[nodiscard]] bool statusUpToDate(const boost::json::object& pdb, const BudgetNumbers& numbers);

/// The new `status`: the numbers, observedGeneration = generation, and the DisruptionAllowed
/// condition (SufficientPods / InsufficientPods) with the existing conditions kept.
[[nodiscard]] boost::json::object desiredStatus(const boost::json::object& pdb,
                                                const BudgetNumbers& numbers, TimePoint now);

/// failSafe: the current status with disruptionsAllowed 0 and DisruptionAllowed False
/// (SyncFailed, `message`).
[[nodiscard]] boost::json::object failSafeStatus(const boost::json::object& pdb,
                                                 const std::string& message, TimePoint now);

/// apimeta.SetStatusCondition: replaces the condition of the same type, keeping its
/// lastTransitionTime unless the status changed; appends a new one stamped `now`.
void setStatusCondition(boost::json::array& conditions, boost::json::object condition,
                        TimePoint now);

} // namespace pilot::controllers::disruption
