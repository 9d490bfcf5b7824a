// Self-registration end to end: the provider setting (off / approval / open), the
// organisation's registration code, staff approval and rejection, and login of the result;
// over HTTP against a whole System (log, embedded Kafka, projections).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "app/running_system.h"

namespace portico::gateway {
namespace {

using app_testing::HttpReply;
using app_testing::RunningSystem;
using boost::beast::http::verb;
namespace json = boost::json;

class RegistrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sys_ = new RunningSystem("registration-test");
    ASSERT_TRUE(sys_->started());
    sys_->CreateOrg("reg-acme");
    sys_->CreateOrg("reg-sparks", "contractor");
    const auto code = sys_->Staff(verb::put, "/v1/orgs/reg-acme/registration-code", {{"level", "client-base"}});
    ASSERT_EQ(code.status, 200u) << code.body;
    code_ = std::string(code.json().at("organisation_code").as_string());
  }
  static void TearDownTestSuite() {
    delete sys_;
    sys_ = nullptr;
  }

  static void SetMode(const std::string& mode) {
    const auto reply = sys_->Staff(verb::put, "/v1/settings",
                                   {{"portal_enabled", true},
                                    {"self_registration", mode},
                                    {"password_min_length", 8},
                                    {"session_idle_minutes", 30},
                                    {"session_absolute_hours", 12},
                                    {"lockout_threshold", 5},
                                    {"lockout_minutes", 15}});
    ASSERT_EQ(reply.status, 200u) << reply.body;
  }

  static HttpReply Register(const std::string& code, const std::string& name,
                            const std::string& password = "a fine passphrase") {
    return sys_->client().Post("/v1/portal/register", "",
                               {{"organisation_code", code},
                                {"username", name + "@example.com"},
                                {"display_name", "Person " + name},
                                {"email", name + "@example.com"},
                                {"password", password}});
  }

  static HttpReply Login(const std::string& name, const std::string& password = "a fine passphrase") {
    return sys_->Login(name, password);
  }

  static json::array Registrations(const std::string& status, std::uint64_t min_position) {
    const auto reply = sys_->Staff(verb::get, "/v1/registrations?status=" + status +
                                                  "&min_position=" + std::to_string(min_position));
    EXPECT_EQ(reply.status, 200u) << reply.body;
    return reply.json().at("registrations").as_array();
  }

  static bool Lists(const json::array& list, const std::string& user_id) {
    for (const auto& r : list) {
      if (r.at("user_id").as_string() == user_id) return true;
    }
    return false;
  }

  static inline RunningSystem* sys_ = nullptr;
  static inline std::string code_;
};

TEST_F(RegistrationTest, OffRefusesAndAnUnknownCodeIsRefusedTheSameWay) {
  SetMode("off");
  const auto with_code = Register(code_, "off-known");
  const auto unknown = Register("reg_not-a-code-at-all", "off-unknown");
  EXPECT_EQ(with_code.status, 422u) << with_code.body;
  EXPECT_EQ(with_code.status, unknown.status);
  EXPECT_EQ(with_code.body, unknown.body);
  EXPECT_EQ(Login("off-known").status, 401u);

  SetMode("approval");
  const auto unknown_when_open = Register("reg_not-a-code-at-all", "off-unknown2");
  EXPECT_EQ(unknown_when_open.status, with_code.status);
  EXPECT_EQ(unknown_when_open.body, with_code.body);
}

TEST_F(RegistrationTest, ApprovalKeepsTheUserPendingUntilStaffApprove) {
  SetMode("approval");
  const auto reply = Register(code_, "pat");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(reply.json().at("status").as_string(), "pending");
  const std::string id(reply.json().at("user_id").as_string());

  EXPECT_EQ(Login("pat").status, 401u) << "a pending user cannot log in";
  EXPECT_TRUE(Lists(Registrations("pending", RunningSystem::Position(reply)), id));
  EXPECT_EQ(Register(code_, "pat").status, 409u) << "the user name is reserved while pending";

  const auto approved = sys_->Staff(verb::post, "/v1/registrations/" + id + "/approve");
  ASSERT_EQ(approved.status, 200u) << approved.body;
  EXPECT_EQ(Login("pat").status, 200u);
  const auto user = sys_->Staff(verb::get, "/v1/users/" + id + "?min_position=" +
                                               std::to_string(RunningSystem::Position(approved)));
  ASSERT_EQ(user.status, 200u) << user.body;
  EXPECT_NE(user.body.find("reg-acme"), std::string::npos);
  EXPECT_NE(user.body.find("client-base"), std::string::npos);
  EXPECT_FALSE(Lists(Registrations("pending", RunningSystem::Position(approved)), id));
  EXPECT_EQ(sys_->Staff(verb::post, "/v1/registrations/" + id + "/approve").status, 422u)
      << "decided once";
}

// A pending registration's user name is reserved everywhere, not only against another
// registration: the availability check says so, and staff cannot create a user with it (which
// would make the approval fail for good).
TEST_F(RegistrationTest, PendingUserNameIsReservedForStaffAndAvailability) {
  SetMode("approval");
  const auto reply = Register(code_, "pia");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const std::string id(reply.json().at("user_id").as_string());

  const auto available = sys_->Staff(verb::get, "/v1/usernames/pia@example.com");
  ASSERT_EQ(available.status, 200u) << available.body;
  EXPECT_FALSE(available.json().at("available").as_bool()) << "reserved while pending";

  const auto taken = sys_->Staff(verb::post, "/v1/orgs/reg-acme/users",
                                 {{"user_id", "pia-by-staff"}, {"username", "PIA@example.com"},
                                  {"display_name", "Pia by staff"}, {"email", "pia@example.com"},
                                  {"user_type", "active"}, {"level", "client-base"}});
  EXPECT_EQ(taken.status, 409u) << taken.body;

  const auto approved = sys_->Staff(verb::post, "/v1/registrations/" + id + "/approve");
  EXPECT_EQ(approved.status, 200u) << approved.body;
  EXPECT_EQ(Login("pia").status, 200u);
}

TEST_F(RegistrationTest, RejectedRegistrationNeverLogsIn) {
  SetMode("approval");
  const auto reply = Register(code_, "rex");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const std::string id(reply.json().at("user_id").as_string());
  const auto rejected = sys_->Staff(verb::post, "/v1/registrations/" + id + "/reject", {{"reason", "not a client"}});
  ASSERT_EQ(rejected.status, 200u) << rejected.body;
  EXPECT_EQ(Login("rex").status, 401u);
  const auto list = Registrations("rejected", RunningSystem::Position(rejected));
  ASSERT_TRUE(Lists(list, id));
  EXPECT_EQ(sys_->Staff(verb::get, "/v1/users/" + id).status, 404u);
  EXPECT_EQ(sys_->Staff(verb::post, "/v1/registrations/nobody/approve").status, 404u);
}

TEST_F(RegistrationTest, OpenMakesTheUserActiveAtOnce) {
  SetMode("open");
  const auto reply = Register(code_, "olive");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(reply.json().at("status").as_string(), "active");
  EXPECT_EQ(Login("olive").status, 200u);
}

TEST_F(RegistrationTest, PasswordPolicyAndBadInputAreRefused) {
  SetMode("open");
  const auto weak = Register(code_, "weak", "short");
  EXPECT_TRUE(weak.status == 400u || weak.status == 422u) << weak.body;
  EXPECT_EQ(Login("weak", "short").status, 401u);
  const auto bad = sys_->client().Post("/v1/portal/register", "", {{"organisation_code", code_}, {"username", "x"}});
  EXPECT_EQ(bad.status, 400u) << bad.body;
  EXPECT_EQ(sys_->client().Post("/v1/portal/register", "", {{"organisation_code", code_},
                                                             {"username", "bad email"},
                                                             {"display_name", "B"},
                                                             {"email", "not-an-email"},
                                                             {"password", "a fine passphrase"},
                                                             {"extra", 1}})
                .status,
            400u);
}

TEST_F(RegistrationTest, RemovedOrReplacedCodeNoLongerWorks) {
  SetMode("open");
  const auto replaced = sys_->Staff(verb::put, "/v1/orgs/reg-acme/registration-code", {{"level", "client-base"}});
  ASSERT_EQ(replaced.status, 200u) << replaced.body;
  const std::string fresh(replaced.json().at("organisation_code").as_string());
  EXPECT_EQ(Register(code_, "stale").status, 422u) << "the old code is gone";
  EXPECT_EQ(Register(fresh, "fresh").status, 200u);
  ASSERT_EQ(sys_->Staff(verb::delete_, "/v1/orgs/reg-acme/registration-code").status, 200u);
  EXPECT_EQ(Register(fresh, "fresh2").status, 422u);
  code_ = std::string(sys_->Staff(verb::put, "/v1/orgs/reg-acme/registration-code", {{"level", "client-base"}})
                          .json().at("organisation_code").as_string());
  EXPECT_EQ(sys_->Staff(verb::put, "/v1/orgs/reg-acme/registration-code", {{"level", "no-such-level"}}).status,
            404u);
  EXPECT_EQ(sys_->client().Put("/v1/orgs/reg-acme/registration-code", "", {{"level", "client-base"}}).status, 401u);
}

// A registrant has no credentials to scope an Idempotency-Key by: it is scoped by the
// organisation code and user name. A retry with the same key and body gets the first reply
// (not the 409 of a name now reserved) and appends nothing; another registrant using the same
// key is not affected by it.
TEST_F(RegistrationTest, ARetriedRegistrationWithTheSameKeyGetsTheFirstReply) {
  SetMode("approval");
  auto with_key = [](const std::string& name, const std::string& display_name) {
    return sys_->client().Send(verb::post, "/v1/portal/register", "",
                               json::serialize(json::object{{"organisation_code", code_},
                                                            {"username", name + "@example.com"},
                                                            {"display_name", display_name},
                                                            {"email", name + "@example.com"},
                                                            {"password", "a fine passphrase"}}),
                               "application/json", {{"Idempotency-Key", "register-once"}});
  };
  const auto first = with_key("ida", "Ida");
  ASSERT_EQ(first.status, 200u) << first.body;
  const auto head = sys_->Head();
  const auto retry = with_key("ida", "Ida");
  EXPECT_EQ(retry.status, 200u) << retry.body;
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(sys_->Head(), head);
  EXPECT_EQ(with_key("ida", "Ida Changed").status, 422u) << "another body under the same key";
  EXPECT_EQ(Register(code_, "ida").status, 409u) << "without the key: the name is reserved";

  const auto other = with_key("ivo", "Ivo");
  ASSERT_EQ(other.status, 200u) << other.body;
  EXPECT_NE(other.json().at("user_id"), first.json().at("user_id"));
}

}  // namespace
}  // namespace portico::gateway
