#include "gateway/http/rate_limiter.h"

#include <gtest/gtest.h>

namespace portico::gateway {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RateLimiterTest, DeniesAfterTheBurstWithRetryAfter) {
  RateLimiter limiter({.rate_per_second = 1, .burst = 3});
  const auto t0 = RateLimiter::Clock::time_point{} + seconds(100);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Acquire("alice", t0).allowed);
  auto denied = limiter.Acquire("alice", t0);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after, seconds(1));

  EXPECT_TRUE(limiter.Acquire("bob", t0).allowed);  // keys are independent

  EXPECT_FALSE(limiter.Acquire("alice", t0 + milliseconds(500)).allowed);
  EXPECT_TRUE(limiter.Acquire("alice", t0 + seconds(1)).allowed);
  EXPECT_FALSE(limiter.Acquire("alice", t0 + seconds(1)).allowed);
}

TEST(RateLimiterTest, RetryAfterRoundsUpTheWait) {
  RateLimiter limiter({.rate_per_second = 0.25, .burst = 1});
  const auto t0 = RateLimiter::Clock::time_point{} + seconds(100);
  EXPECT_TRUE(limiter.Acquire("login:carol", t0).allowed);
  EXPECT_EQ(limiter.Acquire("login:carol", t0).retry_after, seconds(4));
  EXPECT_EQ(limiter.Acquire("login:carol", t0 + milliseconds(2500)).retry_after, seconds(2));
}

TEST(RateLimiterTest, MemoryIsBounded) {
  RateLimiter limiter({.rate_per_second = 1, .burst = 2, .max_keys = 64});
  const auto t0 = RateLimiter::Clock::time_point{} + seconds(100);
  for (int i = 0; i < 10'000; ++i) {
    limiter.Acquire("client-" + std::to_string(i), t0);
    limiter.Acquire("client-" + std::to_string(i), t0);  // drained: not evictable as "full"
  }
  EXPECT_LE(limiter.size(), 64u);
  // Full buckets go first once time has refilled them.
  limiter.Acquire("late", t0 + seconds(60));
  EXPECT_LE(limiter.size(), 64u);
}

}  // namespace
}  // namespace portico::gateway
