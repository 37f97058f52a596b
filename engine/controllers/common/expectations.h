#pragma once

#include "core/clock.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace pilot::controllers {

/// What a controller is waiting to see in its informer after its own creates and deletes
/// (upstream's UIDTrackingControllerExpectations), so it does not act twice on a stale cache:
/// a sync that sets expectations is followed by syncs that skip managing replicas until every
/// expected add and delete was observed, or the expectations are 5 minutes old. Deletions are
/// tracked per object key, so a pod seen twice on its way out (deletionTimestamp, then DELETED)
/// counts once. Keys are the controller's `namespace/name`. Thread-safe.
class Expectations {
public:
    static constexpr std::chrono::minutes Timeout{5};

    explicit Expectations(const Clock& clock) : m_clock(clock) {}

    /// True when the controller may act: nothing is pending for `key`, everything pending was
    /// observed, or the record expired.
    [[nodiscard]] bool satisfied(const std::string& key) const;
    /// Replaces the record of `key`: `adds` creations are in flight.
    void expectCreations(const std::string& key, int64_t adds);
    /// Replaces the record of `key`: the objects `objectKeys` are being deleted.
    void expectDeletions(const std::string& key, const std::vector<std::string>& objectKeys);
    /// One expected creation arrived (or will never come: a create that failed or was skipped).
    void creationObserved(const std::string& key);
    /// The object `objectKey` went away (or its delete failed); counts only if it was expected.
    void deletionObserved(const std::string& key, const std::string& objectKey);
    /// Forgets `key` (its controller was deleted).
    void erase(const std::string& key);

private:
    struct Record {
        int64_t adds = 0;
        int64_t dels = 0;
        std::set<std::string> deleting;
        TimePoint since;
    };

    const Clock& m_clock;
    mutable std::mutex m_mutex;
    std::map<std::string, Record> m_records;
};

} // namespace pilot::controllers
