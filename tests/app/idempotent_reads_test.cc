// Idempotency-Key is for commands only: a GET (staff or portal) that carries one is answered
// afresh every time, so a reused key never replays a stale read, and nothing is kept for it in
// DATA_DIR/idempotency.log. Over HTTP against a whole System.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <string>

#include "app/http_client.h"
#include "app/running_system.h"

namespace portico::gateway {
namespace {

using app_testing::HttpReply;
using app_testing::kAdminKey;
using app_testing::RunningSystem;
using boost::beast::http::verb;
namespace json = boost::json;

class IdempotentReadsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sys_ = new RunningSystem("idempotent-reads");
    ASSERT_TRUE(sys_->started());
    sys_->CreateOrg("ir-acme");
    sys_->CreateUser("ir-acme", "ir-ann", "portal-advanced");
  }
  static void TearDownTestSuite() {
    delete sys_;
    sys_ = nullptr;
  }

  // A GET with `key` as its Idempotency-Key, once the read model has applied `position`.
  static HttpReply GetWithKey(const std::string& target, const std::string& bearer, const std::string& key,
                              std::uint64_t position) {
    return sys_->client().Send(verb::get, target + "?min_position=" + std::to_string(position), bearer, "",
                               "application/json", {{"Idempotency-Key", key}});
  }
  static std::uintmax_t LogSize() {
    return std::filesystem::file_size(sys_->data_dir() / "idempotency.log");
  }

  static inline RunningSystem* sys_ = nullptr;
};

TEST_F(IdempotentReadsTest, AStaffGetWithAReusedKeySeesTheChangeAndStoresNothing) {
  const auto log_size = LogSize();
  const auto before = GetWithKey("/v1/users/ir-ann", kAdminKey, "read-user", sys_->Head());
  ASSERT_EQ(before.status, 200u) << before.body;
  EXPECT_EQ(before.json().at("level"), "portal-advanced");

  const auto changed = sys_->Staff(verb::put, "/v1/users/ir-ann/level", {{"level", "portal-basic"}});
  ASSERT_EQ(changed.status, 200u) << changed.body;
  const auto after = GetWithKey("/v1/users/ir-ann", kAdminKey, "read-user", RunningSystem::Position(changed));
  ASSERT_EQ(after.status, 200u) << after.body;
  EXPECT_EQ(after.json().at("level"), "portal-basic");
  EXPECT_EQ(LogSize(), log_size) << "a GET's reply was kept";
}

TEST_F(IdempotentReadsTest, APortalGetWithAReusedKeySeesTheChangeAndStoresNothing) {
  const std::string token = sys_->LoginOk("ir-ann");
  const auto log_size = LogSize();
  const auto before = GetWithKey("/v1/portal/subscriptions", token, "read-subs", sys_->Head());
  ASSERT_EQ(before.status, 200u) << before.body;
  EXPECT_TRUE(before.json().at("subscriptions").as_array().empty()) << before.body;

  const json::value subscriptions = {
      {"subscriptions", json::array{{{"kind", "note_added"}, {"channels", json::array{"in_portal"}}}}}};
  const auto changed = sys_->client().Put("/v1/portal/subscriptions", token, subscriptions);
  ASSERT_EQ(changed.status, 200u) << changed.body;
  const auto after = GetWithKey("/v1/portal/subscriptions", token, "read-subs", RunningSystem::Position(changed));
  ASSERT_EQ(after.status, 200u) << after.body;
  EXPECT_EQ(after.json().at("subscriptions").as_array().size(), 1u) << after.body;
  EXPECT_EQ(LogSize(), log_size) << "a GET's reply was kept";
}

}  // namespace
}  // namespace portico::gateway
