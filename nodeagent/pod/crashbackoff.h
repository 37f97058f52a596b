#pragma once

#include "core/clock.h"

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace pilot::agent {

/// kubelet's container restart back-off (client-go flowcontrol.Backoff with 10 s initial and
/// 5 min max): the first restart after an exit is immediate; each later one waits twice as long
/// as the one before, counted from the exit, up to 5 min; an entry not renewed for twice the
/// maximum (a container that ran for 10 min) starts again at 10 s. Thread-safe.
class CrashBackoff {
public:
    explicit CrashBackoff(const Clock& clock,
                          std::chrono::seconds initial = std::chrono::seconds(10),
                          std::chrono::seconds max = std::chrono::seconds(300));

    /// Whether a container that exited at `exitedAt` must still wait (CrashLoopBackOff).
    [[nodiscard]] bool inBackoffSince(const std::string& key, TimePoint exitedAt) const;
    /// Records a restart for an exit at `exitedAt`: the next wait doubles (or starts at initial).
    void next(const std::string& key, TimePoint exitedAt);
    /// The current back-off of `key` (0 when none).
    [[nodiscard]] std::chrono::seconds get(const std::string& key) const;
    /// When a container that exited at `exitedAt` may restart.
    [[nodiscard]] TimePoint readyAt(const std::string& key, TimePoint exitedAt) const;
    void forget(const std::string& key);
    /// Drops keys starting with `prefix` (a pod's containers).
    void forgetPrefix(const std::string& prefix);

private:
    struct Entry {
        std::chrono::seconds backoff{0};
        TimePoint lastUpdate{};
    };
    [[nodiscard]] bool expired(const Entry& entry, TimePoint eventTime) const;

    const Clock& m_clock;
    std::chrono::seconds m_initial;
    std::chrono::seconds m_max;
    mutable std::mutex m_mutex;
    std::map<std::string, Entry, std::less<>> m_entries;
};

} // namespace pilot::agent
