#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "kube/cron/timezone.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pilot::cron {

/// A CronJob schedule as Kubernetes reads it (robfig/cron v3's `ParseStandard`): five fields
/// `minute hour day-of-month month day-of-week` with `*`, `?`, lists, ranges, steps and
/// month/weekday names, or a descriptor (`@yearly`, `@annually`, `@monthly`, `@weekly`,
/// `@daily`, `@midnight`, `@hourly`, `@every <duration>`), optionally behind a `TZ=<zone> ` or
/// `CRON_TZ=<zone> ` prefix. When both day fields are restricted (neither starts with `*` or
/// `?`), a day matches either of them; otherwise both. Immutable, thread-safe.
class Schedule {
public:
    /// Parses `spec`; errors carry robfig/cron's texts, e.g. `expected exactly 5 fields, found
    /// 4: [* * * *]` or `end of range (60) above maximum (59): 60`.
    [[nodiscard]] static Result<Schedule> parse(std::string_view spec);

    /// The first activation strictly after `t` (whole seconds), evaluated in the schedule's own
    /// zone (its TZ= prefix) or else in `zone`. nullopt when none comes within five years
    /// (`0 0 30 2 *`).
    [[nodiscard]] std::optional<TimePoint> next(TimePoint t, const TimeZone& zone = {}) const;

    /// The zone of a TZ= / CRON_TZ= prefix, if the spec had one.
    [[nodiscard]] const std::optional<TimeZone>& timeZone() const { return m_zone; }
    /// The interval of an `@every` schedule (at least one second), if it is one.
    [[nodiscard]] std::optional<std::chrono::seconds> every() const { return m_every; }

private:
    Schedule() = default;
    [[nodiscard]] bool dayMatches(const CivilTime& c) const;

    uint64_t m_second = 1; // bit sets; the top bit marks a field that was `*` or `?`
    uint64_t m_minute = 0;
    uint64_t m_hour = 0;
    uint64_t m_dom = 0;
    uint64_t m_month = 0;
    uint64_t m_dow = 0;
    std::optional<TimeZone> m_zone;
    std::optional<std::chrono::seconds> m_every;
};

} // namespace pilot::cron
