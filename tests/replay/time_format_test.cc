// FormatTime (replay/time_format.h): every time in the answers. Fixed examples around the
// epoch, leap days and the four-digit year boundary, and a round trip through ParseTime.
#include <random>

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

}  // namespace
}  // namespace portico::replay
