#pragma once

#include "core/clock.h"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pilot::kube {

/// Decides how long an item must wait before it is retried (client-go's RateLimiter). Thread-safe.
class RateLimiter {
public:
    virtual ~RateLimiter() = default;
    /// The delay for the next retry of `item`; counts the retry.
    [[nodiscard]] virtual std::chrono::nanoseconds when(const std::string& item) = 0;
    /// The item succeeded: its back-off starts over.
    virtual void forget(const std::string& item) = 0;
    [[nodiscard]] virtual int numRequeues(const std::string& item) const = 0;
};

/// Per item: base * 2^failures, capped at max.
class ItemExponentialRateLimiter final : public RateLimiter {
public:
    ItemExponentialRateLimiter(std::chrono::nanoseconds base, std::chrono::nanoseconds max);
    [[nodiscard]] std::chrono::nanoseconds when(const std::string& item) override;
    void forget(const std::string& item) override;
    [[nodiscard]] int numRequeues(const std::string& item) const override;

private:
    std::chrono::nanoseconds m_base;
    std::chrono::nanoseconds m_max;
    mutable std::mutex m_mutex;
    std::map<std::string, int, std::less<>> m_failures;
};

/// Overall: a token bucket of `burst` tokens refilled at `qps`; each retry takes a token and
/// waits until the token would have been available (reservations may run ahead).
class TokenBucketRateLimiter final : public RateLimiter {
public:
    TokenBucketRateLimiter(double qps, int burst, const Clock& clock);
    [[nodiscard]] std::chrono::nanoseconds when(const std::string& item) override;
    void forget(const std::string&) override {}
    [[nodiscard]] int numRequeues(const std::string&) const override { return 0; }

private:
    double m_qps;
    double m_burst;
    const Clock& m_clock;
    std::mutex m_mutex;
    double m_tokens;
    TimePoint m_last;
};

/// The longest delay of several limiters.
class MaxOfRateLimiter final : public RateLimiter {
public:
    explicit MaxOfRateLimiter(std::vector<std::unique_ptr<RateLimiter>> limiters);
    [[nodiscard]] std::chrono::nanoseconds when(const std::string& item) override;
    void forget(const std::string& item) override;
    [[nodiscard]] int numRequeues(const std::string& item) const override;

private:
    std::vector<std::unique_ptr<RateLimiter>> m_limiters;
};

/// client-go's default for controllers: per item 5 ms doubling up to 1000 s, and overall
/// 10 qps with a burst of 100.
[[nodiscard]] std::unique_ptr<RateLimiter> defaultControllerRateLimiter(const Clock& clock);

} // namespace pilot::kube
