#include "gateway/app/stream_quota.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace portico::gateway {
namespace {

TEST(StreamQuotaTest, EachCallerGetsItsOwnPlacesAndGetsThemBackWithTheLease) {
  StreamQuota quota(2);
  std::vector<StreamQuota::Lease> alice;
  for (int i = 0; i < 2; ++i) {
    auto lease = quota.TryAcquire("user:alice");
    ASSERT_TRUE(lease.has_value());
    alice.push_back(std::move(*lease));
  }
  EXPECT_FALSE(quota.TryAcquire("user:alice").has_value());
  // Another caller is not held back by alice.
  EXPECT_TRUE(quota.TryAcquire("user:bob").has_value());

  alice.pop_back();  // a moved-into lease gives its place back once
  auto again = quota.TryAcquire("user:alice");
  EXPECT_TRUE(again.has_value());
  EXPECT_FALSE(quota.TryAcquire("user:alice").has_value());
}

TEST(StreamQuotaTest, AZeroQuotaRefusesEveryone) {
  StreamQuota quota(0);
  EXPECT_FALSE(quota.TryAcquire("staff:ops").has_value());
  EXPECT_FALSE(quota.TryAcquire("staff:ops").has_value());
}

}  // namespace
}  // namespace portico::gateway
