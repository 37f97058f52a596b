#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pilot::admission {

/// Checks a CronJob schedule the way kube-apiserver does (robfig/cron's standard parser: five
/// fields `minute hour day-of-month month day-of-week` with `*`, `?`, lists, ranges, steps and
/// month/weekday names, or a descriptor such as `@daily`, `@hourly`, `@every 1h30m`). Returns
/// the parser's error text, e.g. `expected exactly 5 fields, found 4: [* * * *]`, or nullopt
/// when the schedule is valid. The parser is kube/cron's, which the CronJob controller uses too.
[[nodiscard]] std::optional<std::string> cronScheduleError(std::string_view schedule);

/// Checks a CronJob `spec.timeZone` as Go's `time.LoadLocation` does: the error text (`unknown
/// time zone Mars/Olympus`), or nullopt for a zone the database knows (and "", "UTC", "Local").
[[nodiscard]] std::optional<std::string> timeZoneError(std::string_view name);

} // namespace pilot::admission
