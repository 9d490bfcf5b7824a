// Portal managers end to end: a portal user holding users.manage creates users, sets their
// level, resets passwords, ends sessions and archives users of its own organisation only,
// never above its own capabilities; over HTTP against a whole System.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "app/running_system.h"
#include "gateway/app/command_processor.h"

namespace portico::gateway {
namespace {

using app_testing::HttpReply;
using app_testing::RunningSystem;
using boost::beast::http::verb;
namespace json = boost::json;

class PortalManagersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sys_ = new RunningSystem("portal-managers-test");
    ASSERT_TRUE(sys_->started());
    sys_->CreateOrg("pm-acme");
    sys_->CreateOrg("pm-globex");
    sys_->CreateOrg("pm-frozen", "client", "restricted");
    const auto allowed = sys_->Staff(verb::put, "/v1/orgs/pm-acme/allowed-levels",
                                     {{"levels", json::array{"portal-manager", "portal-basic", "portal-advanced",
                                                             "client-self-service"}}});
    ASSERT_EQ(allowed.status, 200u) << allowed.body;
    sys_->CreateUser("pm-acme", "mia", "portal-manager");
    sys_->CreateUser("pm-acme", "ben", "portal-basic");
    sys_->CreateUser("pm-acme", "sue", "client-self-service");  // holds what mia does not
    sys_->CreateUser("pm-globex", "gus", "portal-basic");
    sys_->CreateUser("pm-frozen", "fred", "portal-manager");
    sys_->CreateUser("pm-frozen", "fran", "portal-basic");
    mia_ = sys_->LoginOk("mia");
  }
  static void TearDownTestSuite() {
    delete sys_;
    sys_ = nullptr;
  }

  static HttpReply As(const std::string& token, verb method, const std::string& target,
                      const json::value& body = nullptr) {
    return sys_->client().Send(method, target, token, body.is_null() ? "" : json::serialize(body));
  }

  static inline RunningSystem* sys_ = nullptr;
  static inline std::string mia_;
};

TEST_F(PortalManagersTest, ManagerCreatesAUserOfItsOrganisation) {
  const auto created = As(mia_, verb::post, "/v1/portal/users",
                          {{"user_id", "pm-new"}, {"username", "pm-new@example.com"}, {"display_name", "New One"},
                           {"email", "pm-new@example.com"}, {"level", "portal-basic"},
                           {"password", RunningSystem::PasswordOf("pm-new")}, {"must_reset_password", false}});
  ASSERT_EQ(created.status, 200u) << created.body;
  EXPECT_EQ(sys_->Login("pm-new", RunningSystem::PasswordOf("pm-new")).status, 200u);
  const auto user = sys_->Staff(verb::get, "/v1/users/pm-new?min_position=" +
                                               std::to_string(RunningSystem::Position(created)));
  EXPECT_NE(user.body.find("pm-acme"), std::string::npos);
  const auto audit = sys_->Staff(verb::get, "/v1/audit?user_id=pm-new&type=user_created&min_position=" +
                                                std::to_string(RunningSystem::Position(created)));
  EXPECT_NE(audit.body.find("\"actor\":\"mia\""), std::string::npos) << audit.body;

  const auto list = As(mia_, verb::get, "/v1/portal/users?min_position=" +
                                            std::to_string(RunningSystem::Position(created)));
  ASSERT_EQ(list.status, 200u) << list.body;
  EXPECT_NE(list.body.find("pm-new"), std::string::npos);
  EXPECT_EQ(list.body.find("gus"), std::string::npos) << "only its own organisation";

  // Above the manager, or not allowed for the organisation.
  EXPECT_EQ(As(mia_, verb::post, "/v1/portal/users",
               {{"username", "pm-high@example.com"}, {"display_name", "High"}, {"email", "pm-high@example.com"},
                {"level", "client-self-service"}})
                .status,
            403u);
  EXPECT_EQ(As(mia_, verb::post, "/v1/portal/users",
               {{"username", "pm-cm@example.com"}, {"display_name", "CM"}, {"email", "pm-cm@example.com"},
                {"level", "client-base"}})
                .status,
            422u);
  EXPECT_EQ(sys_->Login("pm-high", "anything at all").status, 401u);
}

TEST_F(PortalManagersTest, LevelsOnlyFromTheAllowedOnesAndNeverAbove) {
  EXPECT_EQ(As(mia_, verb::put, "/v1/portal/users/ben/level", {{"level", "portal-advanced"}}).status, 200u);
  EXPECT_EQ(As(mia_, verb::put, "/v1/portal/users/ben/level", {{"level", "client-self-service"}}).status, 403u);
  EXPECT_EQ(As(mia_, verb::put, "/v1/portal/users/ben/level", {{"level", "client-base"}}).status, 422u);
  EXPECT_EQ(As(mia_, verb::put, "/v1/portal/users/ben/level", {{"level", "no-such-level"}}).status, 404u);
  EXPECT_EQ(As(mia_, verb::put, "/v1/portal/users/sue/level", {{"level", "portal-basic"}}).status, 403u)
      << "sue holds capabilities mia lacks";
}

TEST_F(PortalManagersTest, PasswordsSessionsAndArchive) {
  sys_->CreateUser("pm-acme", "tom", "portal-basic");
  const std::string tom = sys_->LoginOk("tom");
  ASSERT_EQ(sys_->client().Get("/v1/portal/me", tom).status, 200u);

  ASSERT_EQ(As(mia_, verb::delete_, "/v1/portal/users/tom/sessions").status, 200u);
  EXPECT_EQ(sys_->client().Get("/v1/portal/me", tom).status, 401u) << "ended at once";

  const std::string tom2 = sys_->LoginOk("tom");
  const auto set = As(mia_, verb::post, "/v1/portal/users/tom/password", {{"password", "a brand new secret"}});
  ASSERT_EQ(set.status, 200u) << set.body;
  EXPECT_EQ(sys_->client().Get("/v1/portal/me", tom2).status, 401u);
  EXPECT_EQ(sys_->Login("tom", RunningSystem::PasswordOf("tom")).status, 401u);
  const auto login = sys_->Login("tom", "a brand new secret");
  ASSERT_EQ(login.status, 200u);
  EXPECT_TRUE(login.json().at("must_reset_password").as_bool());
  EXPECT_EQ(As(mia_, verb::post, "/v1/portal/users/tom/password", {{"password", "short"}}).status, 422u);
  EXPECT_EQ(As(mia_, verb::post, "/v1/portal/users/tom/force-reset").status, 200u);

  ASSERT_EQ(As(mia_, verb::post, "/v1/portal/users/tom/archive").status, 200u);
  EXPECT_EQ(sys_->Login("tom", "a brand new secret").status, 401u);
}

TEST_F(PortalManagersTest, NeverAnotherOrganisationNeverWithoutTheCapabilityNeverWhenRestricted) {
  for (const auto& [method, target] :
       {std::pair{verb::post, "/v1/portal/users/gus/archive"}, {verb::post, "/v1/portal/users/gus/force-reset"},
        {verb::delete_, "/v1/portal/users/gus/sessions"}, {verb::post, "/v1/portal/users/nobody/archive"}}) {
    EXPECT_EQ(As(mia_, method, target).status, 404u) << target;
  }
  EXPECT_EQ(As(mia_, verb::put, "/v1/portal/users/gus/level", {{"level", "portal-basic"}}).status, 404u);
  EXPECT_EQ(sys_->Login("gus", RunningSystem::PasswordOf("gus")).status, 200u) << "untouched";

  const std::string ben = sys_->LoginOk("ben");
  EXPECT_EQ(As(ben, verb::post, "/v1/portal/users/mia/force-reset").status, 403u) << "no users.manage";
  EXPECT_EQ(As(ben, verb::get, "/v1/portal/users").status, 403u);

  const std::string fred = sys_->LoginOk("fred");
  EXPECT_EQ(As(fred, verb::post, "/v1/portal/users/fran/archive").status, 403u) << "restricted organisation";
  EXPECT_EQ(As("", verb::get, "/v1/portal/users").status, 401u);
}

// A new password is hashed (argon2id, 64 MiB on the shared pool) only once the caller may
// set it: a caller without users.manage, or one aiming at a user it may not manage, is refused
// without costing a hash.
TEST_F(PortalManagersTest, NoPasswordIsHashedForACallerThatWillBeRefused) {
  sys_->CreateUser("pm-acme", "pm-plain", "portal-basic");
  const std::string plain = sys_->LoginOk("pm-plain");
  const std::uint64_t before = PasswordsHashed();

  EXPECT_EQ(As(plain, verb::post, "/v1/portal/users/anything/password", {{"password", "long enough pw"}}).status,
            403u);
  EXPECT_EQ(As(plain, verb::post, "/v1/portal/users",
               {{"username", "pm-sneak@example.com"}, {"display_name", "Sneak"}, {"email", "pm-sneak@example.com"},
                {"level", "portal-basic"}, {"password", "long enough pw"}})
                .status,
            403u);
  EXPECT_EQ(As(mia_, verb::post, "/v1/portal/users/gus/password", {{"password", "long enough pw"}}).status, 404u)
      << "another organisation's user";
  EXPECT_EQ(As(mia_, verb::post, "/v1/portal/users/sue/password", {{"password", "long enough pw"}}).status, 403u)
      << "sue holds capabilities mia lacks";
  EXPECT_EQ(As(mia_, verb::post, "/v1/portal/users",
               {{"username", "pm-above@example.com"}, {"display_name", "Above"}, {"email", "pm-above@example.com"},
                {"level", "client-self-service"}, {"password", "long enough pw"}})
                .status,
            403u)
      << "a level above the manager's own";
  EXPECT_EQ(PasswordsHashed(), before) << "no argon2id for a refused request";
}

// New passwords from one manager are rate limited like logins: 429 once its burst is spent.
TEST_F(PortalManagersTest, ManagerPasswordsAreRateLimited) {
  sys_->CreateUser("pm-acme", "pm-busy", "portal-manager");
  sys_->CreateUser("pm-acme", "pm-busy-target", "portal-basic");
  const std::string busy = sys_->LoginOk("pm-busy");
  unsigned last = 0;
  for (int i = 0; i < 25 && last != 429u; ++i) {
    // Too short for the policy: refused after the budget is charged, so no hash is spent here.
    last = As(busy, verb::post, "/v1/portal/users/pm-busy-target/password", {{"password", "short"}}).status;
    if (last != 429u) {
      EXPECT_EQ(last, 422u);
    }
  }
  EXPECT_EQ(last, 429u);
}

}  // namespace
}  // namespace portico::gateway
