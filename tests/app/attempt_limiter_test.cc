#include "gateway/app/attempt_limiter.h"

#include <gtest/gtest.h>

#include <string>

namespace portico::gateway {
namespace {

AttemptLimiter TwoPerUserThreePerAddress() {
  // Refills so slowly that nothing comes back during the test.
  return AttemptLimiter({.rate_per_second = 1e-6, .burst = 2.0}, {.rate_per_second = 1e-6, .burst = 3.0},
                        "too many attempts");
}

TEST(AttemptLimiterTest, RefusesAUserBeyondItsBurstWithA429) {
  auto limiter = TwoPerUserThreePerAddress();
  EXPECT_FALSE(limiter.Admit("10.0.0.1", "name:alice").has_value());
  EXPECT_FALSE(limiter.Admit("10.0.0.2", "name:alice").has_value());
  const auto refused = limiter.Admit("10.0.0.3", "name:alice");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 429u);
  EXPECT_EQ(refused->detail, "too many attempts");
}

TEST(AttemptLimiterTest, AnAttemptRefusedForItsUserTakesNothingFromItsAddress) {
  auto limiter = TwoPerUserThreePerAddress();
  EXPECT_FALSE(limiter.Admit("10.0.0.1", "name:alice").has_value());
  EXPECT_FALSE(limiter.Admit("10.0.0.1", "name:alice").has_value());
  EXPECT_TRUE(limiter.Admit("10.0.0.1", "name:alice").has_value());  // alice's bucket is empty
  EXPECT_TRUE(limiter.Admit("10.0.0.1", "name:alice").has_value());
  // The address spent 2 of its 3: one more user gets through, then the address is spent.
  EXPECT_FALSE(limiter.Admit("10.0.0.1", "name:bob").has_value());
  EXPECT_TRUE(limiter.Admit("10.0.0.1", "name:carol").has_value());
}

TEST(AttemptLimiterTest, WithoutAUserOnlyTheAddressCounts) {
  auto limiter = TwoPerUserThreePerAddress();
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.Admit("10.0.0.1", "").has_value()) << i;
  EXPECT_TRUE(limiter.Admit("10.0.0.1", "").has_value());
  EXPECT_FALSE(limiter.Admit("10.0.0.2", "").has_value());
}

TEST(AttemptLimiterTest, SpellingsOfOneUserNameShareAKey) {
  EXPECT_EQ(AttemptLimiter::NameKey("Alice"), AttemptLimiter::NameKey("alice"));
  EXPECT_NE(AttemptLimiter::NameKey("alice"), AttemptLimiter::NameKey("bob"));
}

}  // namespace
}  // namespace portico::gateway
