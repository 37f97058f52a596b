#pragma once

#include "core/clock.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Job API constants and typed views of a Job's spec and status (k8s.io/api/batch/v1 and
/// pkg/controller/job/util), shared by the Job, CronJob and TTL-after-finished controllers.
namespace pilot::controllers::job {

inline constexpr std::string_view TrackingFinalizer = "batch.kubernetes.io/job-tracking";
inline constexpr std::string_view CompletionIndexAnnotation =
    "batch.kubernetes.io/job-completion-index";
inline constexpr std::string_view CompletionIndexEnv = "JOB_COMPLETION_INDEX";

// Condition types and reasons.
inline constexpr std::string_view Complete = "Complete";
inline constexpr std::string_view Failed = "Failed";
inline constexpr std::string_view Suspended = "Suspended";
inline constexpr std::string_view FailureTarget = "FailureTarget";
inline constexpr std::string_view SuccessCriteriaMet = "SuccessCriteriaMet";
inline constexpr std::string_view ReasonBackoffLimitExceeded = "BackoffLimitExceeded";
inline constexpr std::string_view ReasonDeadlineExceeded = "DeadlineExceeded";
inline constexpr std::string_view ReasonCompletionsReached = "CompletionsReached";
inline constexpr std::string_view ReasonMaxFailedIndexesExceeded = "MaxFailedIndexesExceeded";
inline constexpr std::string_view ReasonFailedIndexes = "FailedIndexes";

/// One entry of `status.conditions` (times as RFC 3339 text).
struct JobCondition {
    std::string type;
    std::string status = "True";
    std::string lastProbeTime;
    std::string lastTransitionTime;
    std::string reason;
    std::string message;
};

/// A JobCondition of `type`, status True, stamped `now`.
[[nodiscard]] JobCondition newCondition(std::string_view type, std::string_view reason,
                                        std::string_view message, TimePoint now,
                                        std::string_view status = "True");

/// `status` of a Job, field for field; written back in the API's field order, with zero counters
/// left out as Go's omitempty does.
struct JobStatus {
    std::vector<JobCondition> conditions;
    std::string startTime; ///< Empty: unset.
    std::string completionTime;
    int64_t active = 0;
    int64_t succeeded = 0;
    int64_t failed = 0;
    std::optional<int64_t> terminating;
    std::string completedIndexes;
    std::optional<std::string> failedIndexes;
    std::vector<std::string> uncountedSucceeded; ///< Pod uids.
    std::vector<std::string> uncountedFailed;
    std::optional<int64_t> ready;

    [[nodiscard]] static JobStatus fromJob(const boost::json::object& job);
    [[nodiscard]] boost::json::object toJson() const;
    [[nodiscard]] JobCondition* find(std::string_view type);
    [[nodiscard]] const JobCondition* find(std::string_view type) const;
    /// ensureJobConditionStatus: sets (or adds, unless `status` is False) the condition `type`;
    /// returns whether anything changed.
    bool ensureCondition(std::string_view type, std::string_view status, std::string_view reason,
                         std::string_view message, TimePoint now);
};

/// What a Job's spec asks for, with the API defaults for anything missing.
struct JobSpec {
    std::optional<int64_t> completions;
    int64_t parallelism = 1;
    int64_t backoffLimit = 6;
    std::optional<int64_t> activeDeadlineSeconds;
    std::optional<int64_t> ttlSecondsAfterFinished;
    bool suspend = false;
    bool indexed = false;
    std::string completionMode = "NonIndexed";
    std::string podReplacementPolicy = "TerminatingOrFailed";
    bool hasPodFailurePolicy = false;
    std::string restartPolicy;
    std::optional<std::string> managedBy;

    [[nodiscard]] static JobSpec fromJob(const boost::json::object& job);
};

/// The Complete or Failed condition (status True) that finished the job, if any
/// (util.FinishedCondition).
[[nodiscard]] std::optional<JobCondition> finishedCondition(const boost::json::object& job);
[[nodiscard]] bool isJobFinished(const boost::json::object& job);
/// Complete=True.
[[nodiscard]] bool isJobSucceeded(const boost::json::object& job);

[[nodiscard]] bool hasTrackingFinalizer(const boost::json::object& pod);
/// The strategic-merge patch that removes the tracking finalizer.
[[nodiscard]] std::string removeTrackingFinalizerPatch();
/// The pod's `status.phase`.
[[nodiscard]] std::string podPhase(const boost::json::object& pod);
/// Not Succeeded/Failed but being deleted (controller.IsPodTerminating).
[[nodiscard]] bool isPodTerminating(const boost::json::object& pod);

} // namespace pilot::controllers::job
