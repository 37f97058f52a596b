// Time zones as Go's time package reads them: loading and its errors, wall-clock readings,
// time.Date across DST transitions and RFC 3339 with offsets.

#include "kube/cron/timezone.h"
#include "kube/goduration.h"

#include <gtest/gtest.h>

using namespace pilot;
using namespace pilot::cron;
using namespace pilot::kube;

namespace {

TimePoint at(std::string_view rfc3339) {
    auto parsed = parseTime(rfc3339);
    EXPECT_TRUE(parsed) << rfc3339;
    return parsed ? *parsed : TimePoint();
}

TEST(TimeZone, LoadsLikeGo) {
    EXPECT_TRUE(TimeZone::load("")->isUtc());
    EXPECT_TRUE(TimeZone::load("UTC")->isUtc());
    ASSERT_TRUE(TimeZone::load("Europe/Paris"));
    EXPECT_EQ(TimeZone::load("Europe/Paris")->name(), "Europe/Paris");
    EXPECT_EQ(TimeZone::load("Mars/Olympus").error().message, "unknown time zone Mars/Olympus");
    EXPECT_EQ(TimeZone::load("America").error().message, "unknown time zone America");
    EXPECT_EQ(TimeZone::load("../etc/passwd").error().message, "time: invalid location name");
    EXPECT_EQ(TimeZone::load("/etc/localtime").error().message, "time: invalid location name");
}

TEST(TimeZone, ReadsWallClockAndOffset) {
    auto ny = *TimeZone::load("America/New_York");
    CivilTime c = ny.civil(at("2024-03-10T06:59:59Z"));
    EXPECT_EQ(c.year, 2024);
    EXPECT_EQ(c.month, 3);
    EXPECT_EQ(c.day, 10);
    EXPECT_EQ(c.hour, 1);
    EXPECT_EQ(c.minute, 59);
    EXPECT_EQ(c.weekday, 0); // Sunday
    EXPECT_EQ(ny.civil(at("2024-03-10T07:00:00Z")).hour, 3);
    EXPECT_EQ(ny.offsetAt(at("2024-07-01T00:00:00Z")).count(), -4 * 3600);
}

TEST(TimeZone, DateResolvesLikeGo) {
    auto ny = *TimeZone::load("America/New_York");
    EXPECT_EQ(formatTime(ny.date(2024, 6, 1, 9, 0, 0)), "2024-06-01T13:00:00Z");
    // 02:30 does not exist on 2024-03-10; Go lands on 01:30 EST.
    EXPECT_EQ(formatTime(ny.date(2024, 3, 10, 2, 30, 0)), "2024-03-10T06:30:00Z");
    // 01:30 happens twice on 2024-11-03; Go takes the first (EDT).
    EXPECT_EQ(formatTime(ny.date(2024, 11, 3, 1, 30, 0)), "2024-11-03T05:30:00Z");
    // Out-of-range fields carry over.
    TimeZone utc;
    EXPECT_EQ(formatTime(utc.date(2024, 13, 1, 0, 0, 0)), "2025-01-01T00:00:00Z");
    EXPECT_EQ(formatTime(utc.date(2024, 2, 31, 0, 0, 0)), "2024-03-02T00:00:00Z");
    EXPECT_EQ(formatTime(utc.date(2024, 3, 0, 24, 0, 0)), "2024-03-01T00:00:00Z");
}

TEST(TimeZone, FormatsRfc3339WithOffset) {
    auto ny = *TimeZone::load("America/New_York");
    EXPECT_EQ(ny.formatRfc3339(at("2024-03-10T06:30:00Z")), "2024-03-10T01:30:00-05:00");
    EXPECT_EQ(ny.formatRfc3339(at("2024-03-10T07:30:00Z")), "2024-03-10T03:30:00-04:00");
    EXPECT_EQ(TimeZone().formatRfc3339(at("2024-03-10T07:30:00Z")), "2024-03-10T07:30:00Z");
    auto kolkata = *TimeZone::load("Asia/Kolkata");
    EXPECT_EQ(kolkata.formatRfc3339(at("2024-01-01T00:00:00Z")), "2024-01-01T05:30:00+05:30");
}

TEST(GoDuration, ParsesLikeTimeParseDuration) {
    using namespace std::chrono;
    EXPECT_EQ(*parseGoDuration("1h30m"), hours(1) + minutes(30));
    // time.Duration.String, and back.
    EXPECT_EQ(formatGoDuration(seconds(0)), "0s");
    EXPECT_EQ(formatGoDuration(seconds(30)), "30s");
    EXPECT_EQ(formatGoDuration(seconds(90)), "1m30s");
    EXPECT_EQ(formatGoDuration(hours(1)), "1h0m0s");
    EXPECT_EQ(formatGoDuration(milliseconds(1500)), "1.5s");
    EXPECT_EQ(formatGoDuration(milliseconds(300)), "300ms");
    EXPECT_EQ(formatGoDuration(microseconds(1500)), "1.5ms");
    EXPECT_EQ(formatGoDuration(nanoseconds(1500)), "1.5\u00b5s");
    EXPECT_EQ(formatGoDuration(nanoseconds(7)), "7ns");
    EXPECT_EQ(formatGoDuration(-minutes(2)), "-2m0s");
    EXPECT_EQ(formatGoDuration(hours(26) + seconds(3) + milliseconds(250)), "26h0m3.25s");
    for (auto d : {nanoseconds(123456789012), nanoseconds(-1), nanoseconds(999999999)}) {
        EXPECT_EQ(*parseGoDuration(formatGoDuration(d)), d);
    }
    EXPECT_EQ(*parseGoDuration("1.5s"), milliseconds(1500));
    EXPECT_EQ(*parseGoDuration("-2m"), -minutes(2));
    EXPECT_EQ(*parseGoDuration("0"), nanoseconds(0));
    EXPECT_EQ(*parseGoDuration("300ms"), milliseconds(300));
    EXPECT_EQ(*parseGoDuration("1\xC2\xB5s"), microseconds(1));
    EXPECT_EQ(parseGoDuration("").error().message, "time: invalid duration \"\"");
    EXPECT_EQ(parseGoDuration(".s").error().message, "time: invalid duration \".s\"");
    EXPECT_EQ(parseGoDuration("3000000h").error().message, "time: invalid duration \"3000000h\"");
}

} // namespace
