#pragma once

#include "core/error.h"

#include <chrono>
#include <string>
#include <string_view>

namespace pilot {

using TimePoint = std::chrono::system_clock::time_point;

/// Time source injected into anything that makes decisions by time, so tests can move time.
class Clock {
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
public:
    [[nodiscard]] TimePoint now() const override { return std::chrono::system_clock::now(); }
};

/// A clock that only moves when told to; for tests.
class ManualClock final : public Clock {
public:
    explicit ManualClock(TimePoint start) : m_now(start) {}
    [[nodiscard]] TimePoint now() const override { return m_now; }
    void advance(std::chrono::microseconds by) { m_now += by; }

private:
    TimePoint m_now;
};

/// RFC 3339 with seconds precision and `Z`, as Kubernetes writes `metadata.*Timestamp`.
[[nodiscard]] std::string formatTime(TimePoint t);
/// RFC 3339 with six fractional digits and `Z` (Kubernetes `MicroTime`).
[[nodiscard]] std::string formatMicroTime(TimePoint t);
/// Parses RFC 3339 (`Z` or a numeric offset, optional fraction).
[[nodiscard]] Result<TimePoint> parseTime(std::string_view text);

} // namespace pilot
