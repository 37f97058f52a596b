#pragma once

#include "core/clock.h"

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace pilot::controllers::daemonset {

/// Per-key exponential back-off for deleting failed daemon pods (client-go's flowcontrol.Backoff
/// as the DaemonSet controller uses it, 1 s doubling to 15 min, without jitter): a node whose
/// daemon pod keeps failing is not fought over in a hot loop. An entry idle for twice the
/// maximum starts over. Thread-safe.
class FailedPodBackoff {
public:
    static constexpr std::chrono::seconds Initial{1};
    static constexpr std::chrono::minutes Max{15};

    explicit FailedPodBackoff(const Clock& clock) : m_clock(clock) {}

    /// Whether `key` is still waiting out its delay at `now`.
    [[nodiscard]] bool inBackoffSinceUpdate(const std::string& key, TimePoint now) const;
    /// The current delay of `key` (zero when it has none).
    [[nodiscard]] std::chrono::milliseconds delay(const std::string& key) const;
    /// Records a deletion at `now`: starts or doubles the delay.
    void next(const std::string& key, TimePoint now);

private:
    struct Entry {
        std::chrono::milliseconds backoff{0};
        TimePoint lastUpdate;
    };
    [[nodiscard]] static bool expired(const Entry& entry, TimePoint now);
    void collectGarbageLocked(TimePoint now);

    const Clock& m_clock;
    mutable std::mutex m_mutex;
    std::map<std::string, Entry> m_entries;
};

} // namespace pilot::controllers::daemonset
