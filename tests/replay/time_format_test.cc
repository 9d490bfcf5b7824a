// FormatTime (replay/time_format.h): every time in the answers. Fixed examples around the
// epoch, leap days and the four-digit year boundary, and a round trip through ParseTime.
// ParseTime: integer microseconds at the int64 limits, and malformed times rejected.
#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "replay/time_format.h"

namespace portico::replay {
namespace {

TEST(FormatTimeTest, KnownTimes) {
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatTime(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatTime(951782400000000), "2000-02-29T00:00:00.000000Z");
  EXPECT_EQ(FormatTime(1795366178719139), "2026-11-22T16:49:38.719139Z");
  EXPECT_EQ(FormatTime(253402300799999999), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatTime(253402300800000000), "10000-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatTime(-62135596800000000), "0001-01-01T00:00:00.000000Z");
}

TEST(FormatTimeTest, RoundTripsThroughParseTime) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<std::int64_t> any(-62135596800000000, 253402300799999999);
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t us = any(rng);
    char buf[kFormattedTimeMax];
    const std::string text(buf, FormatTime(us, buf));
    ASSERT_EQ(text, FormatTime(us));
    const auto parsed = ParseTime(text);
    ASSERT_TRUE(parsed.ok()) << text;
    ASSERT_EQ(*parsed, us) << text;
  }
}

TEST(ParseTimeTest, IntegerMicroseconds) {
  EXPECT_EQ(*ParseTime("0"), 0);
  EXPECT_EQ(*ParseTime("-5"), -5);
  EXPECT_EQ(*ParseTime("1795428000000000"), 1795428000000000);
  EXPECT_EQ(*ParseTime("9223372036854775807"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(*ParseTime("-9223372036854775808"), std::numeric_limits<std::int64_t>::min());
}

// Each is InvalidArgument naming the text, never a number: "1-2" and "12-" once passed as
// garbage microseconds (a '-' read as the digit -3, with signed overflow on long inputs).
TEST(ParseTimeTest, MalformedTimesAreRejectedNamingTheText) {
  for (const std::string text : {"1-2", "12-", "-", "--1", "1--", "-12-3", "+12", "9223372036854775808",
                                 "-9223372036854775809", "99999999999999999999", "2026-11-22", "2026-13-01T00:00:00Z"}) {
    SCOPED_TRACE(text);
    const auto parsed = ParseTime(text);
    ASSERT_FALSE(parsed.ok()) << *parsed;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find("'" + text + "'"), std::string::npos) << parsed.status().message();
  }
  const auto empty = ParseTime("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
}

TEST(ParseTimeTest, OverflowSaysOutOfRange) {
  const auto parsed = ParseTime("9223372036854775808");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("out of range"), std::string::npos) << parsed.status().message();
}

}  // namespace
}  // namespace portico::replay
