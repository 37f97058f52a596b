#pragma once

#include "core/clock.h"
#include "kube/client/indexedcache.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

/// The delay before a Job re-creates pods after failures (pkg/controller/job/backoff_utils.go):
/// 10 s after the first failure since the last success, doubling per further failure, at most
/// 10 minutes, counted from when the last failed pod finished.
namespace pilot::controllers::job {

inline constexpr std::chrono::seconds DefaultPodFailureBackoff{10};
inline constexpr std::chrono::minutes MaxPodFailureBackoff{10};

/// A Job's consecutive failures since its last success and when the last one finished.
struct BackoffRecord {
    std::string key;
    int64_t failuresAfterLastSuccess = 0;
    std::optional<TimePoint> lastFailureTime;

    /// How long pod creation must still wait at `now`; zero when it may go ahead.
    [[nodiscard]] std::chrono::nanoseconds remainingTime(TimePoint now) const;
};

/// When a pod finished: its containers' latest finishedAt, else when its Ready condition went
/// False, else its deletion time less the grace period, else its creation time.
[[nodiscard]] TimePoint podFinishedTime(const boost::json::object& pod);

/// The delay of `failures` consecutive failures, the last at `lastFailure` (zero when none).
[[nodiscard]] std::chrono::nanoseconds
remainingBackoff(int64_t failures, std::optional<TimePoint> lastFailure, TimePoint now);

/// getRemainingTimePerIndex (backoffLimitPerIndex): the delay before index `lastFailed`'s
/// replacement may be created, from the index's failures so far (its annotations, plus this
/// one) and when `lastFailed` finished; zero without a failed pod (null).
[[nodiscard]] std::chrono::nanoseconds remainingTimePerIndex(const boost::json::object* lastFailed,
                                                             TimePoint now);

/// Backoff records by Job key. Thread-safe.
class BackoffStore {
public:
    /// The record after this sync's newly finished pods (not stored yet).
    [[nodiscard]] BackoffRecord newRecord(const std::string& key,
                                          std::vector<kube::ObjectPtr> newSucceeded,
                                          std::vector<kube::ObjectPtr> newFailed) const;
    void update(const BackoffRecord& record);
    void remove(const std::string& key);

private:
    mutable std::mutex m_mutex;
    std::map<std::string, BackoffRecord> m_records;
};

} // namespace pilot::controllers::job
