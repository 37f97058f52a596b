#include "kube/client/ratelimiter.h"

#include <algorithm>
#include <cmath>

namespace pilot::kube {

ItemExponentialRateLimiter::ItemExponentialRateLimiter(std::chrono::nanoseconds base,
                                                       std::chrono::nanoseconds max)
    : m_base(base), m_max(max) {}

std::chrono::nanoseconds ItemExponentialRateLimiter::when(const std::string& item) {
    std::lock_guard lock(m_mutex);
    int failures = m_failures[item]++;
    double delay = static_cast<double>(m_base.count()) * std::pow(2.0, failures);
    if (delay >= static_cast<double>(m_max.count())) {
        return m_max;
    }
    return std::chrono::nanoseconds(static_cast<int64_t>(delay));
}

void ItemExponentialRateLimiter::forget(const std::string& item) {
    std::lock_guard lock(m_mutex);
    m_failures.erase(item);
}

int ItemExponentialRateLimiter::numRequeues(const std::string& item) const {
    std::lock_guard lock(m_mutex);
    auto it = m_failures.find(item);
    return it == m_failures.end() ? 0 : it->second;
}

TokenBucketRateLimiter::TokenBucketRateLimiter(double qps, int burst, const Clock& clock)
    : m_qps(qps), m_burst(burst), m_clock(clock), m_tokens(burst), m_last(clock.now()) {}

std::chrono::nanoseconds TokenBucketRateLimiter::when(const std::string&) {
    std::lock_guard lock(m_mutex);
    TimePoint now = m_clock.now();
    if (now > m_last) {
        double elapsed = std::chrono::duration<double>(now - m_last).count();
        m_tokens = std::min(m_burst, m_tokens + elapsed * m_qps);
        m_last = now;
    }
    m_tokens -= 1.0;
    if (m_tokens >= 0.0) {
        return std::chrono::nanoseconds(0);
    }
    return std::chrono::nanoseconds(static_cast<int64_t>(std::ceil(-m_tokens / m_qps * 1e9)));
}

MaxOfRateLimiter::MaxOfRateLimiter(std::vector<std::unique_ptr<RateLimiter>> limiters)
    : m_limiters(std::move(limiters)) {}

std::chrono::nanoseconds MaxOfRateLimiter::when(const std::string& item) {
    std::chrono::nanoseconds longest{0};
    for (const auto& limiter : m_limiters) {
        longest = std::max(longest, limiter->when(item));
    }
    return longest;
}

void MaxOfRateLimiter::forget(const std::string& item) {
    for (const auto& limiter : m_limiters) {
        limiter->forget(item);
    }
}

int MaxOfRateLimiter::numRequeues(const std::string& item) const {
    int most = 0;
    for (const auto& limiter : m_limiters) {
        most = std::max(most, limiter->numRequeues(item));
    }
    return most;
}

std::unique_ptr<RateLimiter> defaultControllerRateLimiter(const Clock& clock) {
    std::vector<std::unique_ptr<RateLimiter>> limiters;
    limiters.push_back(std::make_unique<ItemExponentialRateLimiter>(std::chrono::milliseconds(5),
                                                                    std::chrono::seconds(1000)));
    limiters.push_back(std::make_unique<TokenBucketRateLimiter>(10.0, 100, clock));
    return std::make_unique<MaxOfRateLimiter>(std::move(limiters));
}

} // namespace pilot::kube
