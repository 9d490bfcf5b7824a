// Idempotency-Key across a restart of the whole System: the same key and body get the first
// reply and append nothing, before and after the restart; another body is a 422.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "app/http_client.h"
#include "app/running_system.h"

namespace portico::gateway {
namespace {

using app_testing::HttpReply;
using app_testing::kAdminKey;
using app_testing::RunningSystem;
using boost::beast::http::verb;

HttpReply WithKey(const RunningSystem& sys, const std::string& key, const std::string& body) {
  return sys.client().Send(verb::post, "/v1/orgs", kAdminKey, body, "application/json",
                           {{"Idempotency-Key", key}});
}

TEST(IdempotencyRestartTest, SameKeyReplaysTheFirstReplyAfterARestart) {
  RunningSystem sys("idempotency-restart");
  ASSERT_TRUE(sys.started());
  const std::string body = R"({"org_id": "once", "name": "Once Ltd", "kind": "client"})";
  const auto first = WithKey(sys, "create-once", body);
  ASSERT_EQ(first.status, 200u) << first.body;
  const auto head = sys.Head();
  EXPECT_EQ(RunningSystem::Position(first), head);

  const auto replay = WithKey(sys, "create-once", body);
  EXPECT_EQ(replay.status, 200u);
  EXPECT_EQ(replay.body, first.body);
  EXPECT_EQ(sys.Head(), head);

  ASSERT_TRUE(sys.Restart());
  const auto after = WithKey(sys, "create-once", body);
  EXPECT_EQ(after.status, 200u) << after.body;
  EXPECT_EQ(after.body, first.body);
  EXPECT_EQ(sys.Head(), head);

  const auto other = WithKey(sys, "create-once", R"({"org_id": "twice", "name": "T", "kind": "client"})");
  EXPECT_EQ(other.status, 422u) << other.body;
  EXPECT_EQ(other.content_type, "application/problem+json");
  EXPECT_EQ(sys.Head(), head);

  // Without the key the same body is a new command: a duplicate org, 409.
  EXPECT_EQ(sys.client().Send(verb::post, "/v1/orgs", kAdminKey, body).status, 409u);
  // A fresh key still works after the restart.
  const auto fresh = WithKey(sys, "create-twice", R"({"org_id": "twice", "name": "T", "kind": "client"})");
  EXPECT_EQ(fresh.status, 200u) << fresh.body;
  EXPECT_EQ(sys.Head(), head + 1);
}

}  // namespace
}  // namespace portico::gateway
