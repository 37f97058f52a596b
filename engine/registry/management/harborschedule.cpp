#include "engine/registry/management/harborschedule.h"

#include "kube/cron/schedule.h"

#include <fmt/format.h>

#include <vector>

namespace pilot::registry::management {

namespace {

std::vector<std::string_view> fields(std::string_view text) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ') {
            ++i;
        }
        size_t start = i;
        while (i < text.size() && text[i] != ' ') {
            ++i;
        }
        if (i > start) {
            out.push_back(text.substr(start, i - start));
        }
    }
    return out;
}

/// Harbor's cron in the five-field form the cron library reads: the seconds field is dropped
/// (only `0` is accepted there: activations are whole minutes).
Result<cron::Schedule> parseCron(std::string_view text) {
    std::vector<std::string_view> parts = fields(text);
    if (parts.size() == 6) {
        if (parts.front() != "0") {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("schedule.cron: \"{}\": the seconds field must be 0", text));
        }
        parts.erase(parts.begin());
    }
    if (parts.size() != 5) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("schedule.cron: \"{}\": expected 6 fields (seconds first)", text));
    }
    std::string fiveFields;
    for (std::string_view part : parts) {
        fiveFields += fiveFields.empty() ? "" : " ";
        fiveFields += part;
    }
    auto schedule = cron::Schedule::parse(fiveFields);
    if (!schedule) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("schedule.cron: \"{}\": {}", text, schedule.error().message));
    }
    return schedule;
}

} // namespace

Result<HarborSchedule> HarborSchedule::make(std::string_view type, std::string_view cron) {
    HarborSchedule schedule;
    schedule.type = std::string(type);
    if (type == "None" || type == "Manual" || type.empty()) {
        schedule.type = type.empty() ? "None" : std::string(type);
        return schedule;
    }
    if (type == "Hourly") {
        schedule.cron = "0 0 * * * *";
    } else if (type == "Daily") {
        schedule.cron = "0 0 0 * * *";
    } else if (type == "Weekly") {
        schedule.cron = "0 0 0 * * 0";
    } else if (type == "Custom" || type == "Schedule") {
        schedule.type = "Custom";
        schedule.cron = std::string(cron);
    } else {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("schedule.type: unknown type \"{}\" (None, Hourly, Daily, Weekly, "
                                "Custom, Manual)",
                                type));
    }
    if (auto parsed = parseCron(schedule.cron); !parsed) {
        return std::unexpected(parsed.error());
    }
    return schedule;
}

std::optional<TimePoint> HarborSchedule::next(TimePoint t) const {
    if (!periodic()) {
        return std::nullopt;
    }
    auto parsed = parseCron(cron);
    if (!parsed) {
        return std::nullopt;
    }
    return parsed->next(t);
}

} // namespace pilot::registry::management
