#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace pilot::kube {

/// Exponential back-off with jitter: each `next()` returns the current delay scaled by a random
/// factor in [1 - jitter, 1 + jitter], then doubles it up to `max`. Not thread-safe.
class Backoff {
public:
    Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, double jitter = 0.2);

    [[nodiscard]] std::chrono::milliseconds next();
    /// Back to `initial` (after a success).
    void reset() { m_current = m_initial; }

private:
    std::chrono::milliseconds m_initial;
    std::chrono::milliseconds m_max;
    std::chrono::milliseconds m_current;
    double m_jitter;
    std::mt19937_64 m_random;
};

} // namespace pilot::kube
