#include "engine/admission/cron.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace pilot::admission {

namespace {

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

std::vector<std::string> whitespaceFields(std::string_view text) {
    std::vector<std::string> fields;
    std::string current;
    for (char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) {
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

struct Parsed {
    unsigned value = 0;
    std::optional<std::string> error;
};

// mustParseInt: strconv.Atoi plus the negative check, with Go's error texts.
Parsed parseInt(const std::string& expr) {
    int value = 0;
    const char* begin = expr.data();
    const char* end = expr.data() + expr.size();
    if (!expr.empty() && expr.front() == '+') {
        ++begin;
    }
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (expr.empty() || ec != std::errc() || ptr != end || begin == end) {
        std::string reason =
            ec == std::errc::result_out_of_range ? "value out of range" : "invalid syntax";
        return {0, fmt::format("failed to parse int from {}: strconv.Atoi: parsing \"{}\": {}",
                               expr, expr, reason)};
    }
    if (value < 0) {
        return {0, fmt::format("negative number ({}) not allowed: {}", value, expr)};
    }
    return {static_cast<unsigned>(value), std::nullopt};
}

Parsed parseIntOrName(const std::string& expr, const Bounds& bounds) {
    std::string lower = expr;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (size_t i = 0; i < bounds.names.size(); ++i) {
        if (bounds.names[i] == lower) {
            return {static_cast<unsigned>(i) + bounds.min, std::nullopt};
        }
    }
    return parseInt(expr);
}

std::optional<std::string> checkRange(const std::string& expr, const Bounds& bounds) {
    std::vector<std::string> rangeAndStep = splitOn(expr, '/', false);
    std::vector<std::string> lowAndHigh = splitOn(rangeAndStep[0], '-', false);
    bool single = lowAndHigh.size() == 1;
    unsigned start = 0;
    unsigned end = 0;
    if (lowAndHigh[0] == "*" || lowAndHigh[0] == "?") {
        start = bounds.min;
        end = bounds.max;
    } else {
        Parsed low = parseIntOrName(lowAndHigh[0], bounds);
        if (low.error) {
            return low.error;
        }
        start = low.value;
        if (lowAndHigh.size() == 1) {
            end = start;
        } else if (lowAndHigh.size() == 2) {
            Parsed high = parseIntOrName(lowAndHigh[1], bounds);
            if (high.error) {
                return high.error;
            }
            end = high.value;
        } else {
            return fmt::format("too many hyphens: {}", expr);
        }
    }
    unsigned step = 1;
    if (rangeAndStep.size() == 2) {
        Parsed parsedStep = parseInt(rangeAndStep[1]);
        if (parsedStep.error) {
            return parsedStep.error;
        }
        step = parsedStep.value;
        if (single) {
            end = bounds.max; // "N/step" means "N-max/step"
        }
    } else if (rangeAndStep.size() > 2) {
        return fmt::format("too many slashes: {}", expr);
    }
    if (start < bounds.min) {
        return fmt::format("beginning of range ({}) below minimum ({}): {}", start, bounds.min,
                           expr);
    }
    if (end > bounds.max) {
        return fmt::format("end of range ({}) above maximum ({}): {}", end, bounds.max, expr);
    }
    if (start > end) {
        return fmt::format("beginning of range ({}) beyond end of range ({}): {}", start, end,
                           expr);
    }
    if (step == 0) {
        return fmt::format("step of range should be a positive number: {}", expr);
    }
    return std::nullopt;
}

// time.ParseDuration's grammar: a sequence of decimal numbers with units, e.g. "1h30m", "1.5s".
bool validGoDuration(std::string_view text) {
    if (text.empty()) {
        return false;
    }
    if (text.front() == '+' || text.front() == '-') {
        text.remove_prefix(1);
    }
    if (text == "0") {
        return true;
    }
    if (text.empty()) {
        return false;
    }
    static constexpr std::string_view Units[] = {"ns", "us", "µs", "μs", "ms", "s", "m", "h"};
    while (!text.empty()) {
        size_t digits = 0;
        bool sawDigit = false;
        while (digits < text.size() &&
               (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.')) {
            sawDigit = sawDigit || text[digits] != '.';
            ++digits;
        }
        if (!sawDigit) {
            return false;
        }
        text.remove_prefix(digits);
        bool matched = false;
        for (std::string_view unit : Units) {
            if (text.starts_with(unit) && (unit != "m" || !text.starts_with("ms"))) {
                text.remove_prefix(unit.size());
                matched = true;
                break;
            }
        }
        if (!matched) {
            return false;
        }
    }
    return true;
}

std::optional<std::string> checkDescriptor(std::string_view spec) {
    for (std::string_view known :
         {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}) {
        if (spec == known) {
            return std::nullopt;
        }
    }
    constexpr std::string_view Every = "@every ";
    if (spec.starts_with(Every)) {
        std::string_view duration = spec.substr(Every.size());
        if (!validGoDuration(duration)) {
            return fmt::format("failed to parse duration {}: time: invalid duration \"{}\"", spec,
                               duration);
        }
        return std::nullopt;
    }
    return fmt::format("unrecognized descriptor: {}", spec);
}

} // namespace

std::optional<std::string> cronScheduleError(std::string_view schedule) {
    if (schedule.empty()) {
        return "empty spec string";
    }
    std::string spec(schedule);
    if (spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=")) {
        size_t space = spec.find(' ');
        if (space == std::string::npos) {
            return fmt::format("provided bad location {}: unknown time zone {}",
                               spec.substr(spec.find('=') + 1), spec.substr(spec.find('=') + 1));
        }
        spec = spec.substr(space + 1);
        size_t first = spec.find_first_not_of(" \t");
        spec = first == std::string::npos ? "" : spec.substr(first);
    }
    if (spec.starts_with("@")) {
        return checkDescriptor(spec);
    }
    std::vector<std::string> fields = whitespaceFields(spec);
    if (fields.size() != 5) {
        std::string list;
        for (size_t i = 0; i < fields.size(); ++i) {
            list += (i > 0 ? " " : "") + fields[i];
        }
        return fmt::format("expected exactly 5 fields, found {}: [{}]", fields.size(), list);
    }
    const Bounds* bounds[] = {&Minutes, &Hours, &DaysOfMonth, &Months, &DaysOfWeek};
    for (size_t i = 0; i < fields.size(); ++i) {
        for (const std::string& expr : splitOn(fields[i], ',', true)) {
            if (std::optional<std::string> error = checkRange(expr, *bounds[i])) {
                return error;
            }
        }
    }
    return std::nullopt;
}

} // namespace pilot::admission
