#include "core/clock.h"

#include <gtest/gtest.h>

using namespace pilot;

TEST(Clock, FormatsSecondsWithZ) {
    auto t = parseTime("2026-11-21T19:45:45Z");
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(formatTime(*t), "2026-11-21T19:45:45Z");
}

TEST(Clock, FormatsEachSecondOnItsOwn) {
    // Formatting keeps the last second's text: moving on, back or within it must not go stale.
    auto t = parseTime("2026-11-21T19:45:45Z");
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(formatTime(*t + std::chrono::milliseconds(999)), "2026-11-21T19:45:45Z");
    EXPECT_EQ(formatTime(*t + std::chrono::seconds(1)), "2026-11-21T19:45:46Z");
    EXPECT_EQ(formatTime(*t - std::chrono::milliseconds(1)), "2026-11-21T19:45:44Z");
    EXPECT_EQ(formatTime(*t), "2026-11-21T19:45:45Z");
    EXPECT_EQ(formatTime(TimePoint{} - std::chrono::milliseconds(500)), "1969-12-31T23:59:59Z");
}

TEST(Clock, AcceptsNumericOffsetsAsPythonSendsThem) {
    auto t = parseTime("2026-11-21T19:45:45+00:00");
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(formatTime(*t), "2026-11-21T19:45:45Z");
    auto shifted = parseTime("2026-11-21T21:45:45+02:00");
    ASSERT_TRUE(shifted.has_value());
    EXPECT_EQ(*shifted, *t);
}

TEST(Clock, MicroTimeKeepsSixDigits) {
    auto t = parseTime("2026-11-21T19:46:00.123456Z");
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(formatMicroTime(*t), "2026-11-21T19:46:00.123456Z");
    auto nanos = parseTime("2026-11-21T19:46:00.123456789Z");
    ASSERT_TRUE(nanos.has_value());
    EXPECT_EQ(formatMicroTime(*nanos), "2026-11-21T19:46:00.123456Z");
}

TEST(Clock, RejectsGarbage) {
    EXPECT_FALSE(parseTime("yesterday").has_value());
    EXPECT_FALSE(parseTime("2026-13-01T00:00:00Z").has_value());
    EXPECT_FALSE(parseTime("2026-02-30T00:00:00Z").has_value());
    EXPECT_FALSE(parseTime("2026-11-21T19:45:45").has_value());
}
