#include "kube/cron/timezone.h"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <cstdlib>
#include <exception>

namespace pilot::cron {

namespace {

using Seconds = std::chrono::seconds;
using SysSeconds = date::sys_seconds;

/// Go's norm: moves whole multiples of `base` from `lo` into `hi` so that 0 <= lo < base.
void norm(int64_t& hi, int64_t& lo, int64_t base) {
    if (lo < 0) {
        int64_t n = (-lo - 1) / base + 1;
        hi -= n;
        lo += n * base;
    }
    if (lo >= base) {
        int64_t n = lo / base;
        hi += n;
        lo -= n * base;
    }
}

/// The zone named `name`, or null when the database does not know it. locate_zone throws;
/// this is the one place that catches it.
const date::time_zone* findZone(const std::string& name) {
    try {
        return date::locate_zone(name);
    } catch (const std::exception&) {
        return nullptr;
    }
}

TimeZone computeLocal() {
    if (const char* tz = std::getenv("TZ")) {
        std::string name = tz;
        if (name.starts_with(':')) {
            name.erase(0, 1);
        }
        if (name.empty() || name == "UTC") {
            return TimeZone();
        }
        auto zone = TimeZone::load(name);
        return zone ? *zone : TimeZone();
    }
    try {
        const date::time_zone* zone = date::current_zone();
        if (zone == nullptr) {
            return TimeZone();
        }
        auto loaded = TimeZone::load(zone->name());
        return loaded ? *loaded : TimeZone();
    } catch (const std::exception&) {
        return TimeZone();
    }
}

} // namespace

Result<TimeZone> TimeZone::load(std::string_view name) {
    if (name.empty() || name == "UTC") {
        return TimeZone();
    }
    if (name == "Local") {
        return local();
    }
    if (name.find("..") != std::string_view::npos || name.front() == '/' || name.front() == '\\') {
        return fail(ErrorCode::InvalidArgument, "time: invalid location name");
    }
    const date::time_zone* zone = findZone(std::string(name));
    if (zone == nullptr) {
        return fail(ErrorCode::InvalidArgument, fmt::format("unknown time zone {}", name));
    }
    return TimeZone(zone);
}

TimeZone TimeZone::local() {
    static const TimeZone zone = computeLocal();
    return zone;
}

std::string TimeZone::name() const {
    return m_zone == nullptr ? std::string("UTC") : std::string(m_zone->name());
}

std::chrono::seconds TimeZone::offsetAt(TimePoint t) const {
    if (m_zone == nullptr) {
        return Seconds(0);
    }
    return m_zone->get_info(date::floor<Seconds>(t)).offset;
}

CivilTime TimeZone::civil(TimePoint t) const {
    SysSeconds utc = date::floor<Seconds>(t);
    date::local_seconds local{(utc + offsetAt(t)).time_since_epoch()};
    date::local_days day = date::floor<date::days>(local);
    date::year_month_day ymd{day};
    date::hh_mm_ss<Seconds> clock{local - day};
    CivilTime out;
    out.year = static_cast<int>(ymd.year());
    out.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    out.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
    out.hour = static_cast<int>(clock.hours().count());
    out.minute = static_cast<int>(clock.minutes().count());
    out.second = static_cast<int>(clock.seconds().count());
    out.weekday = static_cast<int>(date::weekday{day}.c_encoding());
    return out;
}

TimePoint TimeZone::date(int64_t year, int64_t month, int64_t day, int64_t hour, int64_t minute,
                         int64_t second) const {
    int64_t m = month - 1;
    norm(year, m, 12);
    norm(minute, second, 60);
    norm(hour, minute, 60);
    norm(day, hour, 24);
    date::sys_days first =
        date::year_month_day{date::year{static_cast<int>(year)},
                             date::month{static_cast<unsigned>(m + 1)}, date::day{1}};
    // The wall time read as if it were UTC; then Go's two-step offset lookup.
    SysSeconds unix = first + date::days{day - 1} + Seconds(hour * 3600 + minute * 60 + second);
    if (m_zone == nullptr) {
        return TimePoint(unix.time_since_epoch());
    }
    date::sys_info info = m_zone->get_info(unix);
    Seconds offset = info.offset;
    if (offset != Seconds(0)) {
        SysSeconds utc = unix - offset;
        if (utc < info.begin || utc >= info.end) {
            offset = m_zone->get_info(utc).offset;
        }
    }
    return TimePoint((unix - offset).time_since_epoch());
}

std::string TimeZone::formatRfc3339(TimePoint t) const {
    CivilTime c = civil(t);
    std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", c.year, c.month, c.day,
                                  c.hour, c.minute, c.second);
    int64_t offset = offsetAt(t).count();
    if (offset == 0) {
        return out + "Z";
    }
    char sign = offset < 0 ? '-' : '+';
    offset = offset < 0 ? -offset : offset;
    return out + fmt::format("{}{:02}:{:02}", sign, offset / 3600, offset % 3600 / 60);
}

} // namespace pilot::cron
