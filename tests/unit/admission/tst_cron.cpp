// CronJob schedules: accepted forms and robfig/cron's error texts.

#include "engine/admission/cron.h"

#include <gtest/gtest.h>

using namespace pilot::admission;

namespace {

struct CronCase {
    std::string schedule;
    std::string error; // empty: valid
};

class CronSchedule : public ::testing::TestWithParam<CronCase> {};

TEST_P(CronSchedule, ParsesLikeKubernetes) {
    std::optional<std::string> error = cronScheduleError(GetParam().schedule);
    if (GetParam().error.empty()) {
        EXPECT_FALSE(error.has_value()) << *error;
    } else {
        ASSERT_TRUE(error.has_value());
        EXPECT_EQ(*error, GetParam().error);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Admission, CronSchedule,
    ::testing::Values(
        CronCase{"*/1 * * * *", ""}, CronCase{"0 0 * * *", ""}, CronCase{"5,10-20/5 * ? * *", ""},
        CronCase{"0 9 1-15 JAN-jun Mon-FRI", ""}, CronCase{"0 0 31 12 6", ""},
        CronCase{"  0   1 * * *  ", ""}, CronCase{"@hourly", ""}, CronCase{"@daily", ""},
        CronCase{"@midnight", ""}, CronCase{"@weekly", ""}, CronCase{"@monthly", ""},
        CronCase{"@yearly", ""}, CronCase{"@annually", ""}, CronCase{"@every 1h30m", ""},
        CronCase{"TZ=UTC 0 * * * *", ""}, CronCase{"", "empty spec string"},
        CronCase{"* * * *", "expected exactly 5 fields, found 4: [* * * *]"},
        CronCase{"0 0 * * * *", "expected exactly 5 fields, found 6: [0 0 * * * *]"},
        CronCase{"60 * * * *", "end of range (60) above maximum (59): 60"},
        CronCase{"* 24 * * *", "end of range (24) above maximum (23): 24"},
        CronCase{"* * 0 * *", "beginning of range (0) below minimum (1): 0"},
        CronCase{"* * * 13 *", "end of range (13) above maximum (12): 13"},
        CronCase{"* * * * 7", "end of range (7) above maximum (6): 7"},
        CronCase{"10-5 * * * *", "beginning of range (10) beyond end of range (5): 10-5"},
        CronCase{"*/0 * * * *", "step of range should be a positive number: */0"},
        CronCase{"1-2-3 * * * *", "too many hyphens: 1-2-3"},
        CronCase{"*/2/3 * * * *", "too many slashes: */2/3"},
        CronCase{"x * * * *",
                 "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax"},
        CronCase{"* * * foo *",
                 "failed to parse int from foo: strconv.Atoi: parsing \"foo\": invalid syntax"},
        CronCase{"@fortnightly", "unrecognized descriptor: @fortnightly"},
        CronCase{"@every soon",
                 "failed to parse duration @every soon: time: invalid duration \"soon\""}));

} // namespace
