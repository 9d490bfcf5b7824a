// Account security end to end, over real sockets: an unknown user name is answered and
// recorded like a wrong password; an Idempotency-Key belongs to its caller (staff key, portal
// user); a reply that shows a secret is never kept on disk; a portal manager never manages
// itself nor a peer with the same rights.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "app/http_client.h"
#include "app/running_system.h"

namespace portico::gateway {
namespace {

using app_testing::HttpReply;
using app_testing::kAdminKey;
using app_testing::RunningSystem;
using boost::beast::http::verb;
namespace json = boost::json;

class AccountSecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sys_ = new RunningSystem("account-security");
    ASSERT_TRUE(sys_->started());
    sys_->CreateOrg("as-acme");
    sys_->CreateOrg("as-globex");
    const auto allowed = sys_->Staff(verb::put, "/v1/orgs/as-acme/allowed-levels",
                                     {{"levels", json::array{"portal-manager", "portal-basic", "client-manager"}}});
    ASSERT_EQ(allowed.status, 200u) << allowed.body;
    sys_->CreateUser("as-acme", "as-ann", "client-manager");
    sys_->CreateUser("as-globex", "as-gil", "client-manager");
    sys_->CreateUser("as-acme", "as-mia", "portal-manager");
    sys_->CreateUser("as-acme", "as-max", "portal-manager");
    sys_->CreateUser("as-acme", "as-ben", "portal-basic");
  }
  static void TearDownTestSuite() {
    delete sys_;
    sys_ = nullptr;
  }

  static HttpReply WithKey(verb method, const std::string& target, const std::string& bearer,
                           const json::value& body, const std::string& key) {
    return sys_->client().Send(method, target, bearer, json::serialize(body), "application/json",
                               {{"Idempotency-Key", key}});
  }
  static std::string Str(const HttpReply& reply, const char* field) {
    const auto body = reply.json();
    if (!body.is_object() || !body.as_object().contains(field)) return {};
    return std::string(body.at(field).as_string());
  }
  static std::string FileBytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  static inline RunningSystem* sys_ = nullptr;
};

// The same 401, byte for byte, and the attempt is on the log like a wrong password's (the
// same durable append), with the user name that was tried.
TEST_F(AccountSecurityTest, AnUnknownUserNameIsAnsweredAndRecordedLikeAWrongPassword) {
  const auto wrong = sys_->Login("as-ann", "not the password");
  const auto unknown = sys_->Login("as-nobody", "not the password");
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_EQ(unknown.status, 401u);
  EXPECT_EQ(wrong.content_type, unknown.content_type);
  EXPECT_EQ(wrong.body, unknown.body);

  const auto audit = sys_->Staff(verb::get, "/v1/audit?type=login_failed&min_position=" +
                                                std::to_string(sys_->Head()));
  ASSERT_EQ(audit.status, 200u) << audit.body;
  bool bad_password = false, unknown_user = false;
  const auto events = audit.json();
  for (const auto& event : events.at("events").as_array()) {
    const auto& data = event.at("data").as_object();
    if (data.at("reason") == "bad_password" && data.at("user_id") == "as-ann") bad_password = true;
    if (data.at("reason") == "unknown_user") {
      EXPECT_EQ(data.at("user_id"), "");
      EXPECT_EQ(event.at("stream"), "login-failures");
      if (data.at("username") == "as-nobody@example.com") unknown_user = true;
    }
  }
  EXPECT_TRUE(bad_password) << audit.body;
  EXPECT_TRUE(unknown_user) << audit.body;
  EXPECT_EQ(sys_->Login("as-ann", RunningSystem::PasswordOf("as-ann")).status, 200u);
}

// A wrong current password on POST /v1/portal/password counts as a failed login, so a stolen
// session cannot guess the password past the lockout: the threshold (5) of them lock the
// account, the right password then logs in no more, every attempt is on the audit, and while
// locked even the right current password changes nothing.
TEST_F(AccountSecurityTest, WrongCurrentPasswordsLockTheAccountLikeFailedLogins) {
  sys_->CreateUser("as-acme", "as-lee", "portal-basic");
  const std::string token = sys_->LoginOk("as-lee");
  const std::string right = RunningSystem::PasswordOf("as-lee");
  for (int i = 0; i < 5; ++i) {
    const auto wrong = sys_->client().Post("/v1/portal/password", token,
                                           {{"current_password", "a guess " + std::to_string(i)},
                                            {"new_password", "a brand new secret"}});
    EXPECT_EQ(wrong.status, 400u) << wrong.body;
    EXPECT_EQ(Str(wrong, "field"), "current_password");
  }
  const auto refused = sys_->client().Post("/v1/portal/password", token,
                                           {{"current_password", right}, {"new_password", "a brand new secret"}});
  EXPECT_EQ(refused.status, 422u) << refused.body;
  EXPECT_EQ(refused.content_type, "application/problem+json");
  EXPECT_NE(Str(refused, "detail").find("locked out"), std::string::npos) << refused.body;
  EXPECT_EQ(sys_->Login("as-lee", right).status, 401u);
  EXPECT_EQ(sys_->Login("as-lee", "a brand new secret").status, 401u);  // nothing was changed

  const auto audit = sys_->Staff(verb::get, "/v1/audit?user_id=as-lee&min_position=" + std::to_string(sys_->Head()));
  ASSERT_EQ(audit.status, 200u) << audit.body;
  int bad_password = 0, locked_out = 0, lockouts = 0;
  const auto events = audit.json();
  for (const auto& event : events.at("events").as_array()) {
    if (event.at("type") == "user_locked_out") ++lockouts;
    if (event.at("type") != "login_failed") continue;
    EXPECT_EQ(event.at("actor"), "as-lee");
    bad_password += event.at("data").at("reason") == "bad_password";
    locked_out += event.at("data").at("reason") == "locked_out";
  }
  EXPECT_EQ(bad_password, 5) << audit.body;
  EXPECT_EQ(lockouts, 1) << audit.body;
  EXPECT_EQ(locked_out, 3) << "the refused change and both logins: " << audit.body;
}

// A staff key and portal users sending the same Idempotency-Key: each one's command runs and
// is stored, none sees another's reply, and each one's retry replays its own.
TEST_F(AccountSecurityTest, AnIdempotencyKeyBelongsToItsCaller) {
  const std::string key = "shared-guessable-key";
  const auto staff = WithKey(verb::put, "/v1/resources/as-r1", kAdminKey,
                             {{"type", "task"}, {"org_id", "as-acme"}, {"title", "Staff's task"}}, key);
  ASSERT_EQ(staff.status, 200u) << staff.body;

  const std::string ann = sys_->LoginOk("as-ann");
  const std::string gil = sys_->LoginOk("as-gil");
  const auto by_ann = WithKey(verb::post, "/v1/portal/tasks", ann, {{"title", "Ann's request"}}, key);
  ASSERT_EQ(by_ann.status, 200u) << by_ann.body;
  const auto by_gil = WithKey(verb::post, "/v1/portal/tasks", gil, {{"title", "Gil's request"}}, key);
  ASSERT_EQ(by_gil.status, 200u) << by_gil.body;
  EXPECT_NE(Str(by_ann, "request_id"), "");
  EXPECT_NE(Str(by_ann, "request_id"), Str(by_gil, "request_id"));
  EXPECT_LT(RunningSystem::Position(staff), RunningSystem::Position(by_ann));
  EXPECT_LT(RunningSystem::Position(by_ann), RunningSystem::Position(by_gil));

  // Retries: each caller gets its own first reply, and nothing is appended.
  const std::uint64_t head = sys_->Head();
  EXPECT_EQ(WithKey(verb::post, "/v1/portal/tasks", ann, {{"title", "Ann's request"}}, key).body, by_ann.body);
  EXPECT_EQ(WithKey(verb::post, "/v1/portal/tasks", gil, {{"title", "Gil's request"}}, key).body, by_gil.body);
  EXPECT_EQ(WithKey(verb::put, "/v1/resources/as-r1", kAdminKey,
                    {{"type", "task"}, {"org_id", "as-acme"}, {"title", "Staff's task"}}, key)
                .body,
            staff.body);
  EXPECT_EQ(sys_->Head(), head);
  // The same caller with another request under its key is still refused.
  EXPECT_EQ(WithKey(verb::post, "/v1/portal/tasks", ann, {{"title", "Another"}}, key).status, 422u);
}

// The registration code is shown once: with an Idempotency-Key its reply is not kept (the
// code never reaches idempotency.log); a retry gets a 409 saying so and changes nothing;
// the code first issued still works.
TEST_F(AccountSecurityTest, ARegistrationCodeIsNeverKeptForARetry) {
  const auto issued = WithKey(verb::put, "/v1/orgs/as-acme/registration-code", kAdminKey,
                              {{"level", "portal-basic"}}, "code-key-1");
  ASSERT_EQ(issued.status, 200u) << issued.body;
  const std::string code = Str(issued, "organisation_code");
  ASSERT_EQ(code.rfind("reg_", 0), 0u) << issued.body;
  const std::uint64_t head = sys_->Head();

  const auto retry = WithKey(verb::put, "/v1/orgs/as-acme/registration-code", kAdminKey,
                             {{"level", "portal-basic"}}, "code-key-1");
  EXPECT_EQ(retry.status, 409u) << retry.body;
  EXPECT_EQ(retry.content_type, "application/problem+json");
  EXPECT_EQ(Str(retry, "type"), "urn:portico:problem:secret-already-issued");
  EXPECT_EQ(retry.body.find(code), std::string::npos);
  EXPECT_EQ(sys_->Head(), head) << "a retry issues nothing";

  const std::string file = FileBytes(sys_->data_dir() / "idempotency.log");
  EXPECT_NE(file.find("secret-already-issued"), std::string::npos) << "the retry's answer is kept";
  EXPECT_EQ(file.find(code), std::string::npos) << "the registration code reached idempotency.log";

  // The first code is still the organisation's.
  const auto open = sys_->Staff(verb::put, "/v1/settings",
                                {{"portal_enabled", true},
                                 {"self_registration", "open"},
                                 {"password_min_length", 8},
                                 {"session_idle_minutes", 30},
                                 {"session_absolute_hours", 12},
                                 {"lockout_threshold", 5},
                                 {"lockout_minutes", 15}});
  ASSERT_EQ(open.status, 200u) << open.body;
  const auto registered = sys_->client().Post("/v1/portal/register", "",
                                              {{"organisation_code", code},
                                               {"username", "as-reg@example.com"},
                                               {"display_name", "Registrant"},
                                               {"email", "as-reg@example.com"},
                                               {"password", "a fine passphrase"}});
  EXPECT_EQ(registered.status, 200u) << registered.body;
}

// A portal manager manages users holding strictly less than itself: not itself, not another
// manager on its own level (403), though it may hand out that level.
TEST_F(AccountSecurityTest, APortalManagerNeverManagesItselfNorAPeer) {
  const std::string mia = sys_->LoginOk("as-mia");
  const std::string max = sys_->LoginOk("as-max");
  for (const char* target : {"as-max", "as-mia"}) {
    const std::string base = std::string("/v1/portal/users/") + target;
    EXPECT_EQ(sys_->client().Send(verb::post, base + "/password", mia,
                                  json::serialize(json::object{{"password", "a takeover password"}}))
                  .status,
              403u)
        << target;
    EXPECT_EQ(sys_->client().Send(verb::post, base + "/archive", mia).status, 403u) << target;
    EXPECT_EQ(sys_->client().Send(verb::post, base + "/force-reset", mia).status, 403u) << target;
    EXPECT_EQ(sys_->client().Send(verb::delete_, base + "/sessions", mia).status, 403u) << target;
    EXPECT_EQ(sys_->client().Send(verb::put, base + "/level", mia,
                                  json::serialize(json::object{{"level", "portal-basic"}}))
                  .status,
              403u)
        << target;
  }
  EXPECT_EQ(sys_->client().Get("/v1/portal/me", max).status, 200u) << "max's session was not ended";
  EXPECT_EQ(sys_->Login("as-max", RunningSystem::PasswordOf("as-max")).status, 200u);

  // A user below it, yes; and it may hand out its own level.
  EXPECT_EQ(sys_->client().Send(verb::post, "/v1/portal/users/as-ben/force-reset", mia).status, 200u);
  const auto created = sys_->client().Send(
      verb::post, "/v1/portal/users", mia,
      json::serialize(json::object{{"user_id", "as-pam"},
                                   {"username", "as-pam@example.com"},
                                   {"display_name", "Pam"},
                                   {"email", "as-pam@example.com"},
                                   {"level", "portal-manager"}}));
  EXPECT_EQ(created.status, 200u) << created.body;
}

}  // namespace
}  // namespace portico::gateway
