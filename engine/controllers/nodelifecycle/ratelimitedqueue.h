#pragma once

#include "core/clock.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace pilot::controllers {

/// The nodes of one zone waiting for a NoExecute taint, released at a limited rate (upstream's
/// RateLimitedTimedQueue over a token bucket of burst 1): at most `qps` per second, none while
/// `qps` is 0. Not thread-safe; time comes from the caller.
class RateLimitedQueue {
public:
    RateLimitedQueue(double qps, TimePoint now);

    /// Queues a node (due now); false when it is already queued.
    bool add(const std::string& node, TimePoint now);
    /// Drops a node; whether it was queued.
    bool remove(const std::string& node);
    /// Queues a node again, due at `at` (after a failed attempt).
    void retryAt(const std::string& node, TimePoint at);

    /// Changes the rate; a bucket that had no token left starts without one either.
    void swapLimiter(double qps, TimePoint now);
    [[nodiscard]] double qps() const { return m_qps; }

    /// Takes the due nodes the rate allows now, in order.
    [[nodiscard]] std::vector<std::string> takeReady(TimePoint now);
    /// When takeReady could return something next; nullopt when empty or stopped (qps 0).
    [[nodiscard]] std::optional<TimePoint> nextAttempt(TimePoint now) const;
    [[nodiscard]] bool empty() const { return m_items.empty(); }

private:
    struct Item {
        std::string node;
        TimePoint processAt;
        uint64_t sequence;
    };
    bool tryAccept(TimePoint now);
    void refill(TimePoint now);
    void sort();

    double m_qps;
    double m_tokens = 1;
    TimePoint m_last;
    uint64_t m_sequence = 0;
    std::vector<Item> m_items; // by processAt, then arrival
};

} // namespace pilot::controllers
