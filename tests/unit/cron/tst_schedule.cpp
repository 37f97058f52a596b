// CronJob schedules: robfig/cron's parse errors and next activation times, with steps, ranges,
// names, the day-of-month/day-of-week OR rule, descriptors, @every, time zones and the DST
// days of America/New_York.

#include "kube/cron/schedule.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

using namespace pilot;
using namespace pilot::cron;

namespace {

TimePoint at(std::string_view rfc3339) {
    auto parsed = parseTime(rfc3339);
    EXPECT_TRUE(parsed) << rfc3339;
    return parsed ? *parsed : TimePoint();
}

TimeZone zone(std::string_view name) {
    auto loaded = TimeZone::load(name);
    EXPECT_TRUE(loaded) << name;
    return loaded ? *loaded : TimeZone();
}

struct NextCase {
    std::string name;
    std::string schedule;
    std::string zone; // "" = UTC
    std::string from;
    std::string expected; // "" = none within five years
};

class NextActivation : public ::testing::TestWithParam<NextCase> {};

TEST_P(NextActivation, MatchesRobfigCron) {
    const NextCase& c = GetParam();
    auto schedule = Schedule::parse(c.schedule);
    ASSERT_TRUE(schedule) << schedule.error().message;
    std::optional<TimePoint> next = schedule->next(at(c.from), zone(c.zone));
    if (c.expected.empty()) {
        EXPECT_FALSE(next.has_value()) << formatTime(*next);
        return;
    }
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(formatTime(*next), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cron, NextActivation,
    ::testing::Values(
        NextCase{"EveryMinute", "* * * * *", "", "2024-01-01T00:00:00Z", "2024-01-01T00:01:00Z"},
        NextCase{"StrictlyAfter", "0 * * * *", "", "2024-01-01T05:00:00Z", "2024-01-01T06:00:00Z"},
        NextCase{"Step", "*/15 * * * *", "", "2024-01-01T00:07:30Z", "2024-01-01T00:15:00Z"},
        NextCase{"StepFromStart", "5/20 * * * *", "", "2024-01-01T00:26:00Z",
                 "2024-01-01T00:45:00Z"},
        NextCase{"RangeWithStep", "10-30/10 * * * *", "", "2024-01-01T00:31:00Z",
                 "2024-01-01T01:10:00Z"},
        NextCase{"HourRangeWrapsToNextDay", "0 9-17 * * *", "", "2024-01-01T17:30:00Z",
                 "2024-01-02T09:00:00Z"},
        NextCase{"List", "0 6,18 * * *", "", "2024-01-01T07:00:00Z", "2024-01-01T18:00:00Z"},
        NextCase{"WeekdayName", "0 0 * * MON", "", "2024-01-03T00:00:00Z", "2024-01-08T00:00:00Z"},
        NextCase{"WeekdayNameRange", "0 8 * * mon-fri", "", "2024-01-05T09:00:00Z",
                 "2024-01-08T08:00:00Z"},
        NextCase{"MonthNames", "0 0 1 JAN,jul *", "", "2024-02-01T00:00:00Z",
                 "2024-07-01T00:00:00Z"},
        NextCase{"QuestionMarkIsAny", "0 0 ? * 1", "", "2024-01-03T00:00:00Z",
                 "2024-01-08T00:00:00Z"},
        // Both day fields restricted: either matches (Friday the 5th comes before the 13th).
        NextCase{"DayOfMonthOrWeekday", "0 0 13 * FRI", "", "2024-01-01T00:00:00Z",
                 "2024-01-05T00:00:00Z"},
        NextCase{"DayOfMonthOrWeekdayThe13th", "0 0 13 * FRI", "", "2024-01-12T00:00:00Z",
                 "2024-01-13T00:00:00Z"},
        // A star in either day field: both must match.
        NextCase{"StarDayOfMonthAndWeekday", "0 0 * * FRI", "", "2024-01-06T00:00:00Z",
                 "2024-01-12T00:00:00Z"},
        NextCase{"StepDayOfWeekIsNotAStar", "0 0 */2 * 1", "", "2024-01-02T00:00:00Z",
                 "2024-01-03T00:00:00Z"},
        NextCase{"LeapDay", "0 0 29 2 *", "", "2024-03-01T00:00:00Z", "2028-02-29T00:00:00Z"},
        NextCase{"NeverWithinFiveYears", "0 0 30 2 *", "", "2024-01-01T00:00:00Z", ""},
        NextCase{"Hourly", "@hourly", "", "2024-01-01T10:59:59Z", "2024-01-01T11:00:00Z"},
        NextCase{"Daily", "@daily", "", "2024-01-01T10:00:00Z", "2024-01-02T00:00:00Z"},
        NextCase{"Midnight", "@midnight", "", "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"},
        NextCase{"WeeklyIsSunday", "@weekly", "", "2024-01-01T00:00:00Z", "2024-01-07T00:00:00Z"},
        NextCase{"Monthly", "@monthly", "", "2024-01-15T00:00:00Z", "2024-02-01T00:00:00Z"},
        NextCase{"Yearly", "@yearly", "", "2024-01-15T00:00:00Z", "2025-01-01T00:00:00Z"},
        NextCase{"Annually", "@annually", "", "2024-12-31T23:59:59Z", "2025-01-01T00:00:00Z"},
        NextCase{"Every", "@every 1h30m", "", "2024-01-01T10:00:00Z", "2024-01-01T11:30:00Z"},
        NextCase{"EveryBelowASecondIsASecond", "@every 10ms", "", "2024-01-01T10:00:00Z",
                 "2024-01-01T10:00:01Z"},
        // Time zones: the schedule reads wall time in the given zone...
        NextCase{"ZoneSummer", "0 9 * * *", "America/New_York", "2024-06-01T00:00:00Z",
                 "2024-06-01T13:00:00Z"},
        NextCase{"ZoneWinter", "0 9 * * *", "America/New_York", "2024-01-01T00:00:00Z",
                 "2024-01-01T14:00:00Z"},
        // ... unless it names its own.
        NextCase{"TzPrefixWins", "TZ=Asia/Tokyo 0 9 * * *", "America/New_York",
                 "2024-06-01T00:00:00Z", "2024-06-02T00:00:00Z"},
        NextCase{"CronTzPrefix", "CRON_TZ=Europe/Berlin 30 6 * * *", "", "2024-06-01T00:00:00Z",
                 "2024-06-01T04:30:00Z"},
        // Spring forward (2024-03-10 02:00 EST -> 03:00 EDT): 02:30 does not exist that day.
        NextCase{"SpringForwardSkipsMissingTime", "30 2 * * *", "America/New_York",
                 "2024-03-09T17:00:00Z", "2024-03-11T06:30:00Z"},
        NextCase{"SpringForwardHourly", "0 * * * *", "America/New_York", "2024-03-10T06:00:00Z",
                 "2024-03-10T07:00:00Z"},
        NextCase{"SpringForwardDaily", "0 9 * * *", "America/New_York", "2024-03-09T15:00:00Z",
                 "2024-03-10T13:00:00Z"},
        // Fall back (2024-11-03 02:00 EDT -> 01:00 EST): 01:30 happens twice, both run.
        NextCase{"FallBackFirstOccurrence", "30 1 * * *", "America/New_York",
                 "2024-11-02T16:00:00Z", "2024-11-03T05:30:00Z"},
        NextCase{"FallBackSecondOccurrence", "30 1 * * *", "America/New_York",
                 "2024-11-03T05:30:00Z", "2024-11-03T06:30:00Z"},
        NextCase{"FallBackThenNextDay", "30 1 * * *", "America/New_York", "2024-11-03T06:30:00Z",
                 "2024-11-04T06:30:00Z"},
        NextCase{"FallBackHourly", "0 * * * *", "America/New_York", "2024-11-03T05:00:00Z",
                 "2024-11-03T06:00:00Z"}),
    [](const ::testing::TestParamInfo<NextCase>& p) { return p.param.name; });

struct ErrorCase {
    std::string schedule;
    std::string error;
};

class ParseError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ParseError, HasRobfigText) {
    auto parsed = Schedule::parse(GetParam().schedule);
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error().message, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cron, ParseError,
    ::testing::Values(
        ErrorCase{"", "empty spec string"},
        ErrorCase{"* * * *", "expected exactly 5 fields, found 4: [* * * *]"},
        ErrorCase{"60 * * * *", "end of range (60) above maximum (59): 60"},
        ErrorCase{"99999999999 * * * *", "end of range (99999999999) above maximum (59): "
                                         "99999999999"},
        ErrorCase{"-1 * * * *", "failed to parse int from : strconv.Atoi: parsing \"\": "
                                "invalid syntax"},
        ErrorCase{"* * * * 7", "end of range (7) above maximum (6): 7"},
        ErrorCase{"*/0 * * * *", "step of range should be a positive number: */0"},
        ErrorCase{"TZ=Mars/Olympus 0 * * * *",
                  "provided bad location Mars/Olympus: unknown time zone Mars/Olympus"},
        ErrorCase{"@every", "unrecognized descriptor: @every"},
        ErrorCase{"@every 1", "failed to parse duration @every 1: time: missing unit in "
                              "duration \"1\""},
        ErrorCase{"@every 1d", "failed to parse duration @every 1d: time: unknown unit \"d\" in "
                               "duration \"1d\""},
        ErrorCase{"@every soon",
                  "failed to parse duration @every soon: time: invalid duration \"soon\""}));

TEST(Schedule, RemembersItsZoneAndInterval) {
    auto zoned = Schedule::parse("TZ=America/New_York 0 * * * *");
    ASSERT_TRUE(zoned);
    ASSERT_TRUE(zoned->timeZone().has_value());
    EXPECT_EQ(zoned->timeZone()->name(), "America/New_York");
    EXPECT_FALSE(zoned->every().has_value());

    auto every = Schedule::parse("@every 2m30.5s");
    ASSERT_TRUE(every);
    ASSERT_TRUE(every->every().has_value());
    EXPECT_EQ(every->every()->count(), 150);
}

} // namespace
