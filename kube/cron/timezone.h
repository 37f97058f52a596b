#pragma once

#include "core/clock.h"
#include "core/error.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace pilot::cron {

/// A wall-clock reading in some zone, whole seconds.
struct CivilTime {
    int64_t year = 1970;
    int month = 1; ///< 1..12
    int day = 1;   ///< 1..31
    int hour = 0;
    int minute = 0;
    int second = 0;
    int weekday = 4; ///< 0 = Sunday
};

/// A time zone of the IANA database (read from /usr/share/zoneinfo), or UTC: what Go's
/// `time.Location` is to CronJob schedules. Cheap to copy; zones live as long as the process.
/// Known limit: past the last transition stored in a zone file (2037 in Debian's files) the
/// offset stays the last one; Go would extend the DST rule.
class TimeZone {
public:
    /// UTC.
    TimeZone() = default;

    /// As Go's `time.LoadLocation`: "" and "UTC" are UTC, "Local" the process's zone; otherwise
    /// a zone name. Errors carry Go's texts: `unknown time zone Mars/Olympus`, `time: invalid
    /// location name`.
    [[nodiscard]] static Result<TimeZone> load(std::string_view name);
    /// The process's zone, as Go's `time.Local`: `$TZ` when set (empty: UTC), else
    /// /etc/localtime; UTC when neither names a known zone.
    [[nodiscard]] static TimeZone local();

    /// "UTC" or the IANA name.
    [[nodiscard]] std::string name() const;
    [[nodiscard]] bool isUtc() const { return m_zone == nullptr; }

    /// The offset from UTC in force at `t`.
    [[nodiscard]] std::chrono::seconds offsetAt(TimePoint t) const;
    /// The wall clock at `t` (rounded down to the second).
    [[nodiscard]] CivilTime civil(TimePoint t) const;
    /// Go's `time.Date` in this zone: out-of-range fields carry over (month 13 is January of
    /// the next year, day 0 the last day of the previous month); a wall time a transition
    /// skips or repeats resolves to the instant Go picks.
    [[nodiscard]] TimePoint date(int64_t year, int64_t month, int64_t day, int64_t hour,
                                 int64_t minute, int64_t second) const;
    /// RFC 3339 with this zone's offset, `Z` when it is zero (Go's `time.RFC3339`).
    [[nodiscard]] std::string formatRfc3339(TimePoint t) const;

    friend bool operator==(const TimeZone& a, const TimeZone& b) { return a.m_zone == b.m_zone; }

private:
    explicit TimeZone(const date::time_zone* zone) : m_zone(zone) {}

    const date::time_zone* m_zone = nullptr; // null: UTC
};

} // namespace pilot::cron
