// min_position end to end: a reply waiting for a position the read model never reaches must
// not occupy the worker pool, which also hashes the passwords of logins.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "app/http_client.h"
#include "app/running_system.h"

namespace portico::gateway {
namespace {

using app_testing::HttpReply;
using app_testing::RunningSystem;
using boost::beast::http::verb;

class MinPositionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sys_ = new RunningSystem("min-position");
    ASSERT_TRUE(sys_->started());
    sys_->CreateOrg("acme");
    sys_->CreateUser("acme", "m-user", "client-base");
  }
  static void TearDownTestSuite() {
    delete sys_;
    sys_ = nullptr;
  }

  static inline RunningSystem* sys_ = nullptr;
};

TEST_F(MinPositionTest, UnreachableMinPositionsDoNotHoldUpALogin) {
  // Twice the worker pool's 4 threads: waits that held a pool thread each would queue the
  // login's password hash behind them, and it would finish after them.
  constexpr int kWaiters = 8;
  const std::string unreachable = "18446744073709551615";
  std::atomic<int> finished{0};
  std::vector<HttpReply> replies(kWaiters);
  std::vector<int> finish_rank(kWaiters, -1);
  std::vector<std::thread> waiters;
  for (int i = 0; i < kWaiters; ++i) {
    waiters.emplace_back([&, i] {
      replies[i] = sys_->Staff(verb::get, "/v1/orgs/acme?min_position=" + unreachable);
      finish_rank[i] = finished++;
    });
  }
  // Give the waiting requests a head start so they are in flight before the login (this is
  // no bound on any answer: the assertions are about order).
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const HttpReply login = sys_->Login("m-user", RunningSystem::PasswordOf("m-user"));
  const int login_rank = finished++;
  for (auto& waiter : waiters) waiter.join();

  EXPECT_EQ(login.status, 200u) << login.body;
  for (int i = 0; i < kWaiters; ++i) {
    EXPECT_EQ(replies[i].status, 503u) << replies[i].body;
    EXPECT_NE(replies[i].body.find(unreachable), std::string::npos) << replies[i].body;
    EXPECT_EQ(replies[i].retry_after, "1");
    EXPECT_GT(finish_rank[i], login_rank) << "a waiting GET was answered before the login";
  }
}

}  // namespace
}  // namespace portico::gateway
