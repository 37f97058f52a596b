#include "engine/admission/cron.h"

#include "kube/cron/schedule.h"

namespace pilot::admission {

std::optional<std::string> cronScheduleError(std::string_view schedule) {
    auto parsed = cron::Schedule::parse(schedule);
    if (parsed) {
        return std::nullopt;
    }
    return std::move(parsed.error().message);
}

std::optional<std::string> timeZoneError(std::string_view name) {
    auto zone = cron::TimeZone::load(name);
    if (zone) {
        return std::nullopt;
    }
    return std::move(zone.error().message);
}

} // namespace pilot::admission
