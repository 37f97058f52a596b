#pragma once

#include "engine/controllers/job/indexedjob.h"

#include <boost/json/object.hpp>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

/// A Job's pod failure policy and success policy (pkg/controller/job/pod_failure_policy.go and
/// success_policy.go).
namespace pilot::controllers::job {

inline constexpr std::string_view ReasonPodFailurePolicy = "PodFailurePolicy";
inline constexpr std::string_view ReasonSuccessPolicy = "SuccessPolicy";

/// What the first matching rule of `spec.podFailurePolicy` says about a failed pod.
struct PodFailurePolicyMatch {
    /// Set when the rule's action is FailJob: the FailureTarget/Failed condition message.
    std::optional<std::string> failJobMessage;
    /// Whether the failure counts towards backoffLimit (false for Ignore).
    bool countFailed = true;
    /// The matching rule's action (FailJob, Ignore, Count, FailIndex); empty without a match.
    std::string action;
};

/// matchPodFailurePolicy: rules in order; `onExitCodes` matches a terminated container (then
/// init container) with a non-zero exit code (In / NotIn, optionally one containerName);
/// `onPodConditions` a pod condition of that type and status (True by default). Without a
/// policy or a match: counted, no action.
[[nodiscard]] PodFailurePolicyMatch matchPodFailurePolicy(const boost::json::object* policy,
                                                          const boost::json::object& pod);

inline constexpr std::string_view IndexFailureCountAnnotation =
    "batch.kubernetes.io/job-index-failure-count";
inline constexpr std::string_view IndexIgnoredFailureCountAnnotation =
    "batch.kubernetes.io/job-index-ignored-failure-count";

/// isIndexFailed: a failed pod (`podFailed`) fails its index when a FailIndex rule matches it,
/// or when its failure counts and the index had already failed `backoffLimitPerIndex` times.
[[nodiscard]] bool isIndexFailed(const boost::json::object* failurePolicy,
                                 int64_t backoffLimitPerIndex, const boost::json::object& pod,
                                 bool podFailed);

/// getNewIndexFailureCounts: the failure and ignored-failure counts a replacement for
/// `lastFailed` (null: none, the index's first pod) carries in its annotations.
[[nodiscard]] std::pair<int64_t, int64_t>
newIndexFailureCounts(const boost::json::object* failurePolicy,
                      const boost::json::object* lastFailed);

/// getIndexAbsoluteFailureCount: the index's failures before `pod`, counted and ignored (its
/// two annotations; a missing, corrupt or out-of-range value is 0).
[[nodiscard]] int64_t indexAbsoluteFailureCount(const boost::json::object& pod);

/// getPodsWithDelayedDeletionPerIndex (backoffLimitPerIndex): for each index below
/// `completions` that neither succeeded, failed nor has an active pod, its last failed pod
/// (`isFailed`) still holding the tracking finalizer (the highest failure count, the latest
/// finish). The finalizer of these pods stays until their replacement exists, so that a
/// deletion (by a user, the pod GC) cannot lose the index's failure count, and their counts and
/// finish times give the per-index back-off.
[[nodiscard]] std::map<int, kube::ObjectPtr>
podsWithDelayedDeletionPerIndex(const std::vector<kube::ObjectPtr>& pods,
                                const std::vector<kube::ObjectPtr>& activePods,
                                const std::set<std::string>& expectedRmFinalizers, int completions,
                                const OrderedIntervals& succeeded, const OrderedIntervals& failed,
                                const std::function<bool(const boost::json::object&)>& isFailed);

/// matchSuccessPolicy: the message ("Matched rules at index N") of the first rule of
/// `spec.successPolicy` the succeeded indexes satisfy (all `succeededIndexes`, or at least
/// `succeededCount` of them / of all indexes), else nullopt.
[[nodiscard]] std::optional<std::string> matchSuccessPolicy(const boost::json::object* policy,
                                                            int completions,
                                                            const OrderedIntervals& succeeded);

} // namespace pilot::controllers::job
