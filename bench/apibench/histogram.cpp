#include "bench/apibench/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace pilot::bench {

namespace {

// Values below 128 ns get one bucket each; above, every power of two is split into 64 buckets.
constexpr unsigned SubBits = 6;
constexpr std::uint64_t SubCount = 1u << SubBits;
constexpr std::uint64_t Linear = 2 * SubCount;
constexpr std::size_t BucketCount = Linear + 58 * SubCount;

std::size_t bucketOf(std::uint64_t v) {
    if (v < Linear) {
        return v;
    }
    unsigned shift = static_cast<unsigned>(std::bit_width(v)) - 1 - SubBits;
    std::size_t index = Linear + (shift - 1) * SubCount + ((v >> shift) - SubCount);
    return std::min(index, BucketCount - 1);
}

/// The middle of a bucket's range.
std::uint64_t valueOf(std::size_t bucket) {
    if (bucket < Linear) {
        return bucket;
    }
    std::size_t offset = bucket - Linear;
    unsigned shift = static_cast<unsigned>(offset / SubCount) + 1;
    std::uint64_t low = (SubCount + offset % SubCount) << shift;
    return low + ((std::uint64_t{1} << shift) >> 1);
}

} // namespace

Histogram::Histogram() : m_buckets(BucketCount, 0) {}

void Histogram::record(std::chrono::nanoseconds latency) {
    auto v = static_cast<std::uint64_t>(std::max<std::int64_t>(latency.count(), 0));
    ++m_buckets[bucketOf(v)];
    ++m_count;
    m_max = std::max(m_max, v);
    m_sum += static_cast<long double>(v);
}

void Histogram::merge(const Histogram& other) {
    for (std::size_t i = 0; i < BucketCount; ++i) {
        m_buckets[i] += other.m_buckets[i];
    }
    m_count += other.m_count;
    m_max = std::max(m_max, other.m_max);
    m_sum += other.m_sum;
}

std::chrono::nanoseconds Histogram::percentile(double q) const {
    if (m_count == 0) {
        return {};
    }
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(m_count)));
    rank = std::clamp<std::uint64_t>(rank, 1, m_count);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < BucketCount; ++i) {
        seen += m_buckets[i];
        if (seen >= rank) {
            return std::chrono::nanoseconds(std::min(valueOf(i), m_max));
        }
    }
    return max();
}

std::chrono::nanoseconds Histogram::mean() const {
    if (m_count == 0) {
        return {};
    }
    return std::chrono::nanoseconds(static_cast<std::int64_t>(m_sum / m_count));
}

double toMs(std::chrono::nanoseconds d) {
    return static_cast<double>(d.count()) / 1e6;
}

} // namespace pilot::bench
