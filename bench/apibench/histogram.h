#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace pilot::bench {

/// Latency histogram with log-linear buckets (relative error under 1.6%), exact min and max.
/// Not thread-safe: give each client its own and merge() them when the phase is over.
class Histogram {
public:
    Histogram();

    void record(std::chrono::nanoseconds latency);
    void merge(const Histogram& other);

    [[nodiscard]] std::uint64_t count() const { return m_count; }
    /// The latency at quantile q in [0, 1]; zero when empty.
    [[nodiscard]] std::chrono::nanoseconds percentile(double q) const;
    [[nodiscard]] std::chrono::nanoseconds max() const { return std::chrono::nanoseconds(m_max); }
    [[nodiscard]] std::chrono::nanoseconds mean() const;

private:
    std::vector<std::uint64_t> m_buckets;
    std::uint64_t m_count = 0;
    std::uint64_t m_max = 0;
    long double m_sum = 0;
};

/// Milliseconds as a double, for reports.
[[nodiscard]] double toMs(std::chrono::nanoseconds d);

} // namespace pilot::bench
