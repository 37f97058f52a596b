#include "core/clock.h"

#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace pilot {
namespace {

std::tm toUtc(TimePoint t) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    return tm;
}

bool parseInt(std::string_view text, size_t pos, size_t len, int& out) {
    if (pos + len > text.size()) {
        return false;
    }
    auto [ptr, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
    return ec == std::errc() && ptr == text.data() + pos + len;
}

} // namespace

std::string formatTime(TimePoint t) {
    // Every object created in one second gets the same text: keep the last one per thread.
    struct Last {
        std::chrono::sys_seconds second{std::chrono::seconds::min()};
        std::string text;
    };
    thread_local Last last;
    const auto second = std::chrono::floor<std::chrono::seconds>(t);
    if (second == last.second) {
        return last.text;
    }
    std::tm tm = toUtc(second);
    last.text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900,
                            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    last.second = second;
    return last.text;
}

std::string formatMicroTime(TimePoint t) {
    std::tm tm = toUtc(t);
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()) %
                  std::chrono::seconds(1);
    long long us = micros.count();
    if (us < 0) {
        us += 1000000;
    }
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, us);
}

Result<TimePoint> parseTime(std::string_view text) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (text.size() < 20 || !parseInt(text, 0, 4, year) || text[4] != '-' ||
        !parseInt(text, 5, 2, month) || text[7] != '-' || !parseInt(text, 8, 2, day) ||
        (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !parseInt(text, 11, 2, hour) ||
        text[13] != ':' || !parseInt(text, 14, 2, minute) || text[16] != ':' ||
        !parseInt(text, 17, 2, second)) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("invalid time {:?}: expected RFC 3339", std::string(text)));
    }
    size_t pos = 19;
    long long micros = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        int digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (digits < 6) {
                micros = micros * 10 + (text[pos] - '0');
            }
            ++digits;
            ++pos;
        }
        if (digits == 0) {
            return fail(ErrorCode::InvalidArgument, "invalid time: empty fraction");
        }
        for (int i = digits; i < 6; ++i) {
            micros *= 10;
        }
    }
    int offsetSeconds = 0;
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        int oh = 0, om = 0;
        if (!parseInt(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
            !parseInt(text, pos + 4, 2, om)) {
            return fail(ErrorCode::InvalidArgument, "invalid time: bad offset");
        }
        offsetSeconds = (oh * 3600 + om * 60) * (text[pos] == '-' ? -1 : 1);
        pos += 6;
    } else {
        return fail(ErrorCode::InvalidArgument, "invalid time: missing zone");
    }
    if (pos != text.size() || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
        minute > 59 || second > 60) {
        return fail(ErrorCode::InvalidArgument, "invalid time: out of range");
    }
    std::chrono::year_month_day ymd{std::chrono::year(year),
                                    std::chrono::month(static_cast<unsigned>(month)),
                                    std::chrono::day(static_cast<unsigned>(day))};
    if (!ymd.ok()) {
        return fail(ErrorCode::InvalidArgument, "invalid time: no such date");
    }
    auto tp = std::chrono::sys_days(ymd) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
              std::chrono::seconds(second) - std::chrono::seconds(offsetSeconds) +
              std::chrono::microseconds(micros);
    return std::chrono::time_point_cast<TimePoint::duration>(tp);
}

} // namespace pilot
