#pragma once

namespace pilot::gui {

/// Exponential back-off with ±20 % jitter for reconnecting: 0.5 s doubling up to 30 s.
class Backoff {
public:
    explicit Backoff(int initialMs = 500, int maxMs = 30000)
        : m_initialMs(initialMs), m_maxMs(maxMs) {}

    /// The next delay; each call doubles the base until the maximum.
    [[nodiscard]] int next();
    void reset() { m_attempt = 0; }
    [[nodiscard]] int attempts() const { return m_attempt; }

private:
    int m_initialMs;
    int m_maxMs;
    int m_attempt = 0;
};

} // namespace pilot::gui
