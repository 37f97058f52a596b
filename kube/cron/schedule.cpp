#include "kube/cron/schedule.h"

#include "kube/goduration.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <vector>

namespace pilot::cron {

namespace {

constexpr uint64_t StarBit = uint64_t{1} << 63;

struct Bounds {
    unsigned min;
    unsigned max;
    std::vector<std::string_view> names; // index + min is the value
};

const Bounds Minutes{0, 59, {}};
const Bounds Hours{0, 23, {}};
const Bounds DaysOfMonth{1, 31, {}};
const Bounds Months{
    1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}};
const Bounds DaysOfWeek{0, 6, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}};

uint64_t bitsFor(unsigned min, unsigned max, unsigned step) {
    if (step == 1) {
        // All bits from min to max.
        return ~(~uint64_t{0} << (max + 1)) & (~uint64_t{0} << min);
    }
    uint64_t bits = 0;
    for (unsigned i = min; i <= max; i += step) {
        bits |= uint64_t{1} << i;
    }
    return bits;
}

uint64_t all(const Bounds& bounds) {
    return bitsFor(bounds.min, bounds.max, 1) | StarBit;
}

std::vector<std::string> splitOn(std::string_view text, char separator, bool dropEmpty) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        size_t pos = text.find(separator, start);
        std::string_view part = text.substr(
            start, pos == std::string_view::npos ? std::string_view::npos : pos - start);
        if (!dropEmpty || !part.empty()) {
            parts.emplace_back(part);
        }
        if (pos == std::string_view::npos) {
            return parts;
        }
        start = pos + 1;
    }
}

bool isSpace(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::vector<std::string> whitespaceFields(std::string_view text) {
    std::vector<std::string> fields;
    std::string current;
    for (char c : text) {
        if (isSpace(c)) {
            if (!current.empty()) {
                fields.push_back(std::move(current));
                current.clear();
            }
        } else {
            current += c;
        }
    }
    if (!current.empty()) {
        fields.push_back(std::move(current));
    }
    return fields;
}

std::string_view trimSpace(std::string_view text) {
    while (!text.empty() && isSpace(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && isSpace(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

// mustParseInt: strconv.Atoi (64-bit int) plus the negative check, with Go's error texts.
Result<uint64_t> parseInt(const std::string& expr) {
    int64_t value = 0;
    const char* begin = expr.data();
    const char* end = expr.data() + expr.size();
    if (!expr.empty() && expr.front() == '+') {
        ++begin;
    }
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (expr.empty() || ec != std::errc() || ptr != end || begin == end) {
        std::string reason =
            ec == std::errc::result_out_of_range ? "value out of range" : "invalid syntax";
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("failed to parse int from {}: strconv.Atoi: parsing \"{}\": {}",
                                expr, expr, reason));
    }
    if (value < 0) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("negative number ({}) not allowed: {}", value, expr));
    }
    return static_cast<uint64_t>(value);
}

Result<uint64_t> parseIntOrName(const std::string& expr, const Bounds& bounds) {
    std::string lower = expr;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (size_t i = 0; i < bounds.names.size(); ++i) {
        if (bounds.names[i] == lower) {
            return static_cast<uint64_t>(i) + bounds.min;
        }
    }
    return parseInt(expr);
}

// getRange: one `*`, `?`, `N`, `N-M`, each optionally `/step`, as a bit set.
Result<uint64_t> parseRange(const std::string& expr, const Bounds& bounds) {
    std::vector<std::string> rangeAndStep = splitOn(expr, '/', false);
    std::vector<std::string> lowAndHigh = splitOn(rangeAndStep[0], '-', false);
    bool single = lowAndHigh.size() == 1;
    uint64_t start = 0;
    uint64_t end = 0;
    uint64_t extra = 0;
    if (lowAndHigh[0] == "*" || lowAndHigh[0] == "?") {
        start = bounds.min;
        end = bounds.max;
        extra = StarBit;
    } else {
        auto low = parseIntOrName(lowAndHigh[0], bounds);
        if (!low) {
            return low;
        }
        start = *low;
        if (lowAndHigh.size() == 1) {
            end = start;
        } else if (lowAndHigh.size() == 2) {
            auto high = parseIntOrName(lowAndHigh[1], bounds);
            if (!high) {
                return high;
            }
            end = *high;
        } else {
            return fail(ErrorCode::InvalidArgument, fmt::format("too many hyphens: {}", expr));
        }
    }
    uint64_t step = 1;
    if (rangeAndStep.size() == 2) {
        auto parsedStep = parseInt(rangeAndStep[1]);
        if (!parsedStep) {
            return parsedStep;
        }
        step = *parsedStep;
        if (single) {
            end = bounds.max; // "N/step" means "N-max/step"
        }
        if (step > 1) {
            extra = 0;
        }
    } else if (rangeAndStep.size() > 2) {
        return fail(ErrorCode::InvalidArgument, fmt::format("too many slashes: {}", expr));
    }
    if (start < bounds.min) {
        return fail(
            ErrorCode::InvalidArgument,
            fmt::format("beginning of range ({}) below minimum ({}): {}", start, bounds.min, expr));
    }
    if (end > bounds.max) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("end of range ({}) above maximum ({}): {}", end, bounds.max, expr));
    }
    if (start > end) {
        return fail(
            ErrorCode::InvalidArgument,
            fmt::format("beginning of range ({}) beyond end of range ({}): {}", start, end, expr));
    }
    if (step == 0) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("step of range should be a positive number: {}", expr));
    }
    unsigned stepBits = step > 64 ? 64 : static_cast<unsigned>(step);
    return bitsFor(static_cast<unsigned>(start), static_cast<unsigned>(end), stepBits) | extra;
}

// getField: a comma-separated list of ranges.
Result<uint64_t> parseField(const std::string& field, const Bounds& bounds) {
    uint64_t bits = 0;
    for (const std::string& expr : splitOn(field, ',', true)) {
        auto range = parseRange(expr, bounds);
        if (!range) {
            return range;
        }
        bits |= *range;
    }
    return bits;
}

TimePoint truncateTo(TimePoint t, std::chrono::seconds unit) {
    auto seconds = std::chrono::floor<std::chrono::seconds>(t.time_since_epoch());
    auto units = seconds / unit;
    if (seconds % unit < std::chrono::seconds(0)) {
        --units;
    }
    return TimePoint(units * unit);
}

bool has(uint64_t bits, int value) {
    return (bits & (uint64_t{1} << value)) != 0;
}

} // namespace

Result<Schedule> Schedule::parse(std::string_view text) {
    if (text.empty()) {
        return fail(ErrorCode::InvalidArgument, "empty spec string");
    }
    Schedule schedule;
    std::string_view spec = text;
    if (spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=")) {
        size_t eq = spec.find('=');
        size_t space = spec.find(' ');
        std::string_view location = space == std::string_view::npos
                                        ? spec.substr(eq + 1)
                                        : spec.substr(eq + 1, space - eq - 1);
        auto zone = space == std::string_view::npos
                        ? Result<TimeZone>(fail(ErrorCode::InvalidArgument,
                                                fmt::format("unknown time zone {}", location)))
                        : TimeZone::load(location);
        if (!zone) {
            return fail(ErrorCode::InvalidArgument, fmt::format("provided bad location {}: {}",
                                                                location, zone.error().message));
        }
        schedule.m_zone = *zone;
        spec = trimSpace(spec.substr(space));
    }
    if (spec.starts_with("@")) {
        const uint64_t first = 1;
        schedule.m_second = first << 0;
        schedule.m_minute = first << Minutes.min;
        schedule.m_hour = first << Hours.min;
        schedule.m_dom = all(DaysOfMonth);
        schedule.m_month = all(Months);
        schedule.m_dow = all(DaysOfWeek);
        if (spec == "@yearly" || spec == "@annually") {
            schedule.m_dom = first << DaysOfMonth.min;
            schedule.m_month = first << Months.min;
            return schedule;
        }
        if (spec == "@monthly") {
            schedule.m_dom = first << DaysOfMonth.min;
            return schedule;
        }
        if (spec == "@weekly") {
            schedule.m_dow = first << DaysOfWeek.min;
            return schedule;
        }
        if (spec == "@daily" || spec == "@midnight") {
            return schedule;
        }
        if (spec == "@hourly") {
            schedule.m_hour = all(Hours);
            return schedule;
        }
        constexpr std::string_view Every = "@every ";
        if (spec.starts_with(Every)) {
            auto duration = kube::parseGoDuration(spec.substr(Every.size()));
            if (!duration) {
                return fail(
                    ErrorCode::InvalidArgument,
                    fmt::format("failed to parse duration {}: {}", spec, duration.error().message));
            }
            // ConstantDelaySchedule: whole seconds, at least one.
            schedule.m_every = *duration < std::chrono::seconds(1)
                                   ? std::chrono::seconds(1)
                                   : std::chrono::duration_cast<std::chrono::seconds>(*duration);
            return schedule;
        }
        return fail(ErrorCode::InvalidArgument, fmt::format("unrecognized descriptor: {}", spec));
    }
    std::vector<std::string> fields = whitespaceFields(spec);
    if (fields.size() != 5) {
        std::string list;
        for (size_t i = 0; i < fields.size(); ++i) {
            list += (i > 0 ? " " : "") + fields[i];
        }
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("expected exactly 5 fields, found {}: [{}]", fields.size(), list));
    }
    uint64_t* targets[] = {&schedule.m_minute, &schedule.m_hour, &schedule.m_dom, &schedule.m_month,
                           &schedule.m_dow};
    const Bounds* bounds[] = {&Minutes, &Hours, &DaysOfMonth, &Months, &DaysOfWeek};
    for (size_t i = 0; i < fields.size(); ++i) {
        auto bits = parseField(fields[i], *bounds[i]);
        if (!bits) {
            return std::unexpected(bits.error());
        }
        *targets[i] = *bits;
    }
    schedule.m_second = 1; // the standard parser's implicit "0" seconds
    return schedule;
}

bool Schedule::dayMatches(const CivilTime& c) const {
    bool domMatch = has(m_dom, c.day);
    bool dowMatch = has(m_dow, c.weekday);
    if ((m_dom & StarBit) != 0 || (m_dow & StarBit) != 0) {
        return domMatch && dowMatch;
    }
    return domMatch || dowMatch;
}

std::optional<TimePoint> Schedule::next(TimePoint from, const TimeZone& zone) const {
    using std::chrono::hours;
    using std::chrono::minutes;
    using std::chrono::seconds;
    if (m_every) {
        return truncateTo(from, seconds(1)) + *m_every;
    }
    // robfig/cron's SpecSchedule.Next, step for step (the order of field adjustments and the
    // DST corrections decide which instant a skipped or repeated wall time maps to).
    const TimeZone& loc = m_zone ? *m_zone : zone;
    TimePoint t = truncateTo(from, seconds(1)) + seconds(1);
    bool added = false;
    const int64_t yearLimit = loc.civil(t).year + 5;
    auto addDate = [&](int months, int days) {
        CivilTime c = loc.civil(t);
        t = loc.date(c.year, c.month + months, c.day + days, c.hour, c.minute, c.second);
    };
    for (;;) {
        CivilTime c = loc.civil(t);
        if (c.year > yearLimit) {
            return std::nullopt;
        }
        bool wrapped = false;
        while (!has(m_month, c.month)) {
            if (!added) {
                added = true;
                t = loc.date(c.year, c.month, 1, 0, 0, 0);
            }
            addDate(1, 0);
            c = loc.civil(t);
            if (c.month == 1) {
                wrapped = true;
                break;
            }
        }
        if (wrapped) {
            continue;
        }
        while (!dayMatches(c)) {
            if (!added) {
                added = true;
                t = loc.date(c.year, c.month, c.day, 0, 0, 0);
            }
            addDate(0, 1);
            c = loc.civil(t);
            // Midnight may not exist (or exist twice) on a DST day: go back to hour 0.
            if (c.hour != 0) {
                t += c.hour > 12 ? hours(24 - c.hour) : -hours(c.hour);
                c = loc.civil(t);
            }
            if (c.day == 1) {
                wrapped = true;
                break;
            }
        }
        if (wrapped) {
            continue;
        }
        while (!has(m_hour, c.hour)) {
            if (!added) {
                added = true;
                t = loc.date(c.year, c.month, c.day, c.hour, 0, 0);
            }
            t += hours(1);
            c = loc.civil(t);
            if (c.hour == 0) {
                wrapped = true;
                break;
            }
        }
        if (wrapped) {
            continue;
        }
        while (!has(m_minute, c.minute)) {
            if (!added) {
                added = true;
                t = truncateTo(t, minutes(1));
            }
            t += minutes(1);
            c = loc.civil(t);
            if (c.minute == 0) {
                wrapped = true;
                break;
            }
        }
        if (wrapped) {
            continue;
        }
        while (!has(m_second, c.second)) {
            if (!added) {
                added = true;
                t = truncateTo(t, seconds(1));
            }
            t += seconds(1);
            c = loc.civil(t);
            if (c.second == 0) {
                wrapped = true;
                break;
            }
        }
        if (wrapped) {
            continue;
        }
        return t;
    }
}

} // namespace pilot::cron
