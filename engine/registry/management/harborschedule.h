#pragma once

#include "core/clock.h"
#include "core/error.h"

#include <optional>
#include <string>
#include <string_view>

namespace pilot::registry::management {

/// Harbor's ScheduleObj: `type` None, Hourly, Daily, Weekly, Custom (with `cron`) or Manual
/// (run once, now); `cron` Harbor's six-field form with seconds (`0 0 * * * *`), five fields
/// also accepted. Hourly/Daily/Weekly carry their fixed crons (`0 0 * * * *`, `0 0 0 * * *`,
/// `0 0 0 * * 0`), as Harbor reports them.
struct HarborSchedule {
    std::string type = "None";
    std::string cron;

    /// Validates `type` and `cron`, filling in the cron of the fixed types. InvalidArgument
    /// naming the field otherwise.
    [[nodiscard]] static Result<HarborSchedule> make(std::string_view type, std::string_view cron);

    /// Whether it fires by itself (not None or Manual).
    [[nodiscard]] bool periodic() const { return type != "None" && type != "Manual"; }
    /// The first activation strictly after `t` (UTC), nullopt when not periodic.
    [[nodiscard]] std::optional<TimePoint> next(TimePoint t) const;
};

} // namespace pilot::registry::management
