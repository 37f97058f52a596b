#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "kube/client/indexedcache.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// The Deployment controller's pure helpers (upstream pkg/controller/deployment/util): replica
/// arithmetic, revision and replica annotations, conditions and status. ReplicaSet lists may
/// hold null entries (a new ReplicaSet that does not exist yet); every helper skips them.
namespace pilot::controllers::deployment {

using RsList = std::vector<kube::ObjectPtr>;

inline constexpr std::string_view RevisionAnnotation = "deployment.kubernetes.io/revision";
inline constexpr std::string_view RevisionHistoryAnnotation =
    "deployment.kubernetes.io/revision-history";
inline constexpr std::string_view DesiredReplicasAnnotation =
    "deployment.kubernetes.io/desired-replicas";
inline constexpr std::string_view MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
inline constexpr std::string_view ChangeCauseAnnotation = "kubernetes.io/change-cause";
/// The longest `revision-history` annotation kept, in characters.
inline constexpr size_t MaxRevisionHistoryLength = 2000;

// Condition types and reasons.
inline constexpr std::string_view Available = "Available";
inline constexpr std::string_view Progressing = "Progressing";
inline constexpr std::string_view ReplicaFailure = "ReplicaFailure";
inline constexpr std::string_view ReplicaSetUpdatedReason = "ReplicaSetUpdated";
inline constexpr std::string_view FailedRSCreateReason = "ReplicaSetCreateError";
inline constexpr std::string_view NewReplicaSetReason = "NewReplicaSetCreated";
inline constexpr std::string_view FoundNewRSReason = "FoundNewReplicaSet";
inline constexpr std::string_view NewRSAvailableReason = "NewReplicaSetAvailable";
inline constexpr std::string_view TimedOutReason = "ProgressDeadlineExceeded";
inline constexpr std::string_view PausedDeployReason = "DeploymentPaused";
inline constexpr std::string_view ResumedDeployReason = "DeploymentResumed";
inline constexpr std::string_view MinimumReplicasAvailable = "MinimumReplicasAvailable";
inline constexpr std::string_view MinimumReplicasUnavailable = "MinimumReplicasUnavailable";

// --- Reading Deployments and ReplicaSets. ----------------------------------------------------

/// `spec.replicas` (1 when absent).
[[nodiscard]] int64_t replicas(const boost::json::object& object);
/// An integer member of `status` (0 when absent).
[[nodiscard]] int64_t statusInt(const boost::json::object& object, std::string_view field);
[[nodiscard]] int64_t minReadySeconds(const boost::json::object& object);
[[nodiscard]] bool isPaused(const boost::json::object& d);
[[nodiscard]] bool isRollingUpdate(const boost::json::object& d);
[[nodiscard]] bool isRecreate(const boost::json::object& d);
/// `spec.progressDeadlineSeconds`, unless absent or MaxInt32 (no deadline).
[[nodiscard]] std::optional<int64_t> progressDeadline(const boost::json::object& d);
/// `spec.revisionHistoryLimit`, unless absent or MaxInt32 (keep everything).
[[nodiscard]] std::optional<int64_t> revisionHistoryLimit(const boost::json::object& d);
[[nodiscard]] const boost::json::value* podTemplate(const boost::json::object& object);
[[nodiscard]] std::optional<int64_t> collisionCount(const boost::json::object& d);

/// An IntOrString (`3` or `"25%"`) scaled against `total`, percentages rounded up or down.
[[nodiscard]] Result<int64_t> scaledValue(const boost::json::value* value, int64_t total,
                                          bool roundUp);
/// maxSurge (rounded up) and maxUnavailable (rounded down) for `desired` replicas; when both
/// come out 0, maxUnavailable is 1 (upstream ResolveFenceposts).
[[nodiscard]] Result<std::pair<int64_t, int64_t>> resolveFenceposts(const boost::json::object& d,
                                                                    int64_t desired);
/// 0 unless RollingUpdate.
[[nodiscard]] int64_t maxSurge(const boost::json::object& d);
/// 0 unless RollingUpdate with replicas > 0; never more than spec.replicas.
[[nodiscard]] int64_t maxUnavailable(const boost::json::object& d);

/// The revision annotation as a number (0 when absent or not a number).
[[nodiscard]] int64_t revision(const boost::json::object& rs);
[[nodiscard]] int64_t maxRevision(const RsList& sets);
[[nodiscard]] std::optional<int64_t> intAnnotation(const boost::json::object& object,
                                                   std::string_view key);

// --- Lists of ReplicaSets. -------------------------------------------------------------------

/// Sum of spec.replicas.
[[nodiscard]] int64_t replicaCount(const RsList& sets);
/// Sum of status.replicas.
[[nodiscard]] int64_t actualReplicaCount(const RsList& sets);
[[nodiscard]] int64_t readyReplicaCount(const RsList& sets);
[[nodiscard]] int64_t availableReplicaCount(const RsList& sets);
/// The non-null sets with spec.replicas > 0.
[[nodiscard]] RsList filterActive(const RsList& sets);
/// Oldest first (creationTimestamp, then name).
void sortByCreation(RsList& sets);
/// Largest first; equal sizes newest first.
void sortBySizeNewer(RsList& sets);
/// Largest first; equal sizes oldest first.
void sortBySizeOlder(RsList& sets);
/// Lowest revision first; equal revisions oldest first.
void sortByRevision(RsList& sets);

/// The oldest set whose template equals the Deployment's (ignoring pod-template-hash).
[[nodiscard]] kube::ObjectPtr findNewReplicaSet(const boost::json::object& d, const RsList& sets);
/// Every set but the new one.
[[nodiscard]] RsList findOldReplicaSets(const boost::json::object& d, const RsList& sets);

// --- Annotations. ----------------------------------------------------------------------------

/// Copies the Deployment's annotations (but last-applied and the deployment.kubernetes.io
/// ones) to `rs`, raises its revision to `newRevision` when lower (remembering the previous
/// one in revision-history), and for a set about to be created adds desired/max replicas.
/// Returns whether anything changed.
bool setNewReplicaSetAnnotations(const boost::json::object& d, boost::json::object& rs,
                                 const std::string& newRevision, bool exists);
/// Sets desired-replicas and max-replicas; returns whether they changed.
bool setReplicasAnnotations(boost::json::object& rs, int64_t desired, int64_t max);
[[nodiscard]] bool replicasAnnotationsNeedUpdate(const boost::json::object& rs, int64_t desired,
                                                 int64_t max);
/// Sets the Deployment's revision annotation; returns whether it changed.
bool setDeploymentRevision(boost::json::object& d, const std::string& revision);

// --- Scaling decisions. ----------------------------------------------------------------------

/// How many replicas the new set should have now (upstream NewRSNewReplicas).
[[nodiscard]] Result<int64_t> newRSNewReplicas(const boost::json::object& d, const RsList& all,
                                               const boost::json::object& newRS);
/// The new set has every replica the Deployment wants, and they are available.
[[nodiscard]] bool isSaturated(const boost::json::object& d, const kube::ObjectPtr& rs);
/// The only active set, or the newest when none is active; null when several are active.
[[nodiscard]] kube::ObjectPtr findActiveOrLatest(const kube::ObjectPtr& newRS, RsList oldRSs);
/// This set's share of `toAdd` replicas when scaling proportionally.
[[nodiscard]] int64_t replicaSetProportion(const boost::json::object& rs,
                                           const boost::json::object& d, int64_t toAdd,
                                           int64_t added);

// --- Status and conditions. ------------------------------------------------------------------

/// DeploymentStatus as a value; JSON without zero members, as Go's omitempty writes it.
struct DeploymentStatus {
    int64_t observedGeneration = 0;
    int64_t replicas = 0;
    int64_t updatedReplicas = 0;
    int64_t readyReplicas = 0;
    int64_t availableReplicas = 0;
    int64_t unavailableReplicas = 0;
    boost::json::array conditions;
    std::optional<int64_t> collisionCount;

    [[nodiscard]] static DeploymentStatus of(const boost::json::object& d);
    [[nodiscard]] boost::json::object toJson() const;
    [[nodiscard]] bool operator==(const DeploymentStatus& other) const;
};

[[nodiscard]] boost::json::object newCondition(std::string_view type, std::string_view status,
                                               std::string_view reason, std::string message,
                                               TimePoint now);
[[nodiscard]] const boost::json::object* findCondition(const boost::json::array& conditions,
                                                       std::string_view type);
/// Replaces the condition of its type unless status and reason are unchanged; keeps the old
/// lastTransitionTime when only the reason changed. The condition moves to the end.
void setCondition(boost::json::array& conditions, boost::json::object condition);
void removeCondition(boost::json::array& conditions, std::string_view type);

/// The status the sets imply (upstream calculateStatus), with the Available condition.
[[nodiscard]] DeploymentStatus calculateStatus(const RsList& all, const kube::ObjectPtr& newRS,
                                               const boost::json::object& d, TimePoint now);
[[nodiscard]] bool deploymentComplete(const boost::json::object& d, const DeploymentStatus& s);
/// More updated, ready or available replicas, or fewer old ones, than the Deployment reports.
[[nodiscard]] bool deploymentProgressing(const boost::json::object& d, const DeploymentStatus& s);
[[nodiscard]] bool deploymentTimedOut(const boost::json::object& d, const DeploymentStatus& s,
                                      TimePoint now);

} // namespace pilot::controllers::deployment
