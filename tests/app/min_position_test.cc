// min_position end to end: a position beyond the log is refused at once.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

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

// A position beyond the log is one no read model reaches until a command is stored there:
// refused at once (not a 503 after the wait, again at every retry), naming the log's end.
// (That waits hold no thread of the worker pool is MinPositionTest.PollingWaitHoldsNoThread.)
TEST_F(MinPositionTest, APositionBeyondTheLogIsRefusedAtOnce) {
  const std::uint64_t head = sys_->Head();
  for (const std::string target : {"/v1/orgs/acme", "/v1/audit?org_id=acme", "/v1/events"}) {
    const std::string join = target.find('?') == std::string::npos ? "?" : "&";
    const HttpReply at_head = sys_->Staff(verb::get, target + join + "min_position=" + std::to_string(head));
    EXPECT_EQ(at_head.status, 200u) << target << ": " << at_head.body;

    for (const std::string beyond : {std::to_string(head + 1000), std::string("18446744073709551615")}) {
      const HttpReply reply = sys_->Staff(verb::get, target + join + "min_position=" + beyond);
      EXPECT_EQ(reply.status, 400u) << target << ": " << reply.body;
      EXPECT_EQ(reply.json().at("field").as_string(), "min_position") << reply.body;
      EXPECT_NE(reply.body.find("beyond the log"), std::string::npos) << reply.body;
      EXPECT_NE(reply.body.find(beyond), std::string::npos) << reply.body;
    }
  }
  // Logins go on as before.
  EXPECT_EQ(sys_->Login("m-user", RunningSystem::PasswordOf("m-user")).status, 200u);
}

}  // namespace
}  // namespace portico::gateway
