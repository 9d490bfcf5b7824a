// Portal security end to end, over real sockets: "log in as client" (impersonation) and what
// it records, the must-reset-password rule, disabling an organisation, and the wall between
// organisations whatever ids a portal user guesses.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <string>
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

class PortalSecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sys_ = new RunningSystem("portal-security");
    ASSERT_TRUE(sys_->started());
    for (const char* org : {"north", "south", "east", "west"}) sys_->CreateOrg(org);
    for (const char* user : {"n-imp", "n-arch", "n-mgr"}) sys_->CreateUser("north", user, "client-manager");
    sys_->CreateUser("south", "s-mgr", "client-manager");
    sys_->CreateUser("east", "e-one", "client-manager");
    sys_->CreateUser("east", "e-two", "client-base");
    sys_->CreateUser("west", "w-one", "client-manager");
    ExpectOk(Staff(verb::put, "/v1/resources/n-task",
                   {{"type", "task"}, {"org_id", "north"}, {"title", "North job"}}));
    ExpectOk(Staff(verb::put, "/v1/resources/s-task",
                   {{"type", "task"}, {"org_id", "south"}, {"title", "South job"},
                    {"contact_user_id", "s-mgr"}}));
    ExpectOk(Staff(verb::put, "/v1/resources/s-quote",
                   {{"type", "quote"}, {"org_id", "south"}, {"title", "South quote"}}));
    ExpectOk(Staff(verb::post, "/v1/notes",
                   {{"note_id", "s-note"}, {"resource_id", "s-task"}, {"body", "South only"},
                    {"visibility", "client"}}));
  }
  static void TearDownTestSuite() {
    delete sys_;
    sys_ = nullptr;
  }

  static HttpReply Staff(verb v, const std::string& target, const json::value& body = nullptr) {
    return sys_->Staff(v, target, body);
  }
  static void ExpectOk(const HttpReply& reply) { EXPECT_EQ(reply.status, 200u) << reply.body; }
  static const app_testing::HttpClient& Client() { return sys_->client(); }
  static std::string Fresh() { return "?min_position=" + std::to_string(sys_->Head()); }

  // The staff key logs in as `user`; the reply's JSON (200 expected).
  static json::object Impersonate(const std::string& user) {
    const auto reply = Client().Post("/v1/users/" + user + "/impersonate", kAdminKey, json::object{});
    EXPECT_EQ(reply.status, 200u) << reply.body;
    return reply.status == 200 ? reply.json().as_object() : json::object{};
  }

  static inline RunningSystem* sys_ = nullptr;
};

std::string Str(const json::value& v) { return std::string(v.as_string()); }

TEST_F(PortalSecurityTest, ImpersonationIsRecordedInSessionListsAndAudit) {
  const auto own_token = sys_->LoginOk("n-imp");
  const auto imp = Impersonate("n-imp");
  ASSERT_FALSE(imp.empty());
  const std::string token = Str(imp.at("token"));
  const std::string session = Str(imp.at("session_id"));
  EXPECT_EQ(imp.at("impersonated_by"), "admin");
  EXPECT_EQ(imp.at("user_id"), "n-imp");

  // The token is a portal session of the user, valid at once.
  const auto me = Client().Get("/v1/portal/me", token);
  ASSERT_EQ(me.status, 200u) << me.body;
  EXPECT_EQ(me.json().at("user").at("user_id"), "n-imp");

  // Staff see who opened it.
  const auto staff_list = Client().Get("/v1/users/n-imp/sessions" + Fresh(), kAdminKey);
  ASSERT_EQ(staff_list.status, 200u) << staff_list.body;
  std::set<std::string> impersonated;
  const auto staff_list_json = staff_list.json();
  for (const auto& s : staff_list_json.at("sessions").as_array()) {
    if (s.at("impersonated_by") == "admin") impersonated.insert(Str(s.at("session_id")));
  }
  EXPECT_EQ(impersonated, std::set<std::string>{session});

  // So does the user, in its own list, which marks its current session.
  const auto own_list = Client().Get("/v1/portal/sessions", own_token);
  ASSERT_EQ(own_list.status, 200u) << own_list.body;
  const auto own_json = own_list.json();
  const auto& sessions = own_json.at("sessions").as_array();
  ASSERT_EQ(sessions.size(), 2u) << own_list.body;
  int current = 0;
  for (const auto& s : sessions) {
    if (s.at("current") == true) {
      ++current;
      EXPECT_EQ(s.at("impersonated_by"), "");
    } else {
      EXPECT_EQ(Str(s.at("session_id")), session);
      EXPECT_EQ(s.at("impersonated_by"), "admin");
    }
  }
  EXPECT_EQ(current, 1);

  // What the staff member does in that session is the user's act on behalf of the staff key.
  const auto logout = Client().Post("/v1/portal/logout", token, json::object{});
  ASSERT_EQ(logout.status, 200u) << logout.body;
  const auto position = RunningSystem::Position(logout);
  const auto audit = Client().Get("/v1/audit?user_id=n-imp&type=session_ended&min_position=" +
                                      std::to_string(position),
                                  kAdminKey);
  ASSERT_EQ(audit.status, 200u) << audit.body;
  bool found = false;
  const auto audit_json = audit.json();
  for (const auto& e : audit_json.at("events").as_array()) {
    if (e.at("position").to_number<std::uint64_t>() != position) continue;
    found = true;
    EXPECT_EQ(e.at("actor"), "n-imp");
    EXPECT_EQ(e.at("on_behalf_of"), "admin");
  }
  EXPECT_TRUE(found) << audit.body;
  // The user's own session is untouched, and acts as itself.
  EXPECT_EQ(Client().Get("/v1/portal/me", own_token).status, 200u);
  EXPECT_EQ(Client().Get("/v1/portal/me", token).status, 401u);
}

// Like every /v1/users/{user_id}/... route, the session list of an unknown user is a 404, and
// a known user with no session is an empty list.
TEST_F(PortalSecurityTest, SessionListOfAnUnknownUserIsNotFound) {
  const auto unknown = Staff(verb::get, "/v1/users/nobody/sessions");
  EXPECT_EQ(unknown.status, 404u) << unknown.body;
  const auto known = Staff(verb::get, "/v1/users/w-one/sessions" + Fresh());
  ASSERT_EQ(known.status, 200u) << known.body;
  EXPECT_TRUE(known.json().at("sessions").is_array());
}

// API.md: every GET accepts min_position, also those reading the log or the write model.
TEST_F(PortalSecurityTest, EveryGetAcceptsMinPosition) {
  for (const std::string target : {"/v1/usernames/someone-new@example.com", "/v1/events", "/v1/imports/template"}) {
    const auto fresh = Staff(verb::get, target + Fresh());
    EXPECT_EQ(fresh.status, 200u) << target << ": " << fresh.body;
    const auto malformed = Staff(verb::get, target + "?min_position=soon");
    EXPECT_EQ(malformed.status, 400u) << target << ": " << malformed.body;
  }
}

// An Idempotency-Key on the portal's own commands replays the first reply: a retried password
// change is not judged again against the password it already changed.
TEST_F(PortalSecurityTest, RetriedPasswordChangeReplaysTheFirstReply) {
  sys_->CreateUser("west", "w-retry", "client-base");
  const std::string token = sys_->LoginOk("w-retry");
  const std::string body = json::serialize(json::object{{"current_password", RunningSystem::PasswordOf("w-retry")},
                                                         {"new_password", "another fine passphrase"}});
  const auto first = Client().Send(verb::post, "/v1/portal/password", token, body, "application/json",
                                   {{"Idempotency-Key", "pw-1"}});
  ASSERT_EQ(first.status, 200u) << first.body;
  const auto retry = Client().Send(verb::post, "/v1/portal/password", token, body, "application/json",
                                   {{"Idempotency-Key", "pw-1"}});
  EXPECT_EQ(retry.status, 200u) << retry.body;
  EXPECT_EQ(retry.body, first.body);
  const std::string other = json::serialize(json::object{{"current_password", "another fine passphrase"},
                                                          {"new_password", "a third passphrase"}});
  EXPECT_EQ(Client().Send(verb::post, "/v1/portal/password", token, other, "application/json",
                          {{"Idempotency-Key", "pw-1"}})
                .status,
            422u)
      << "same key, another body";
  EXPECT_EQ(sys_->Login("w-retry", "another fine passphrase").status, 200u);
}

TEST_F(PortalSecurityTest, RetriedSubscriptionChangeReplaysAndAnotherBodyIsRefused) {
  sys_->CreateUser("west", "w-subs", "portal-basic");  // portal-basic may subscribe to alerts
  const std::string token = sys_->LoginOk("w-subs");
  const std::string body = json::serialize(
      json::object{{"subscriptions", json::array{json::object{{"kind", "note_added"}, {"channels", {"in_portal"}}}}}});
  const auto first = Client().Send(verb::put, "/v1/portal/subscriptions", token, body, "application/json",
                                   {{"Idempotency-Key", "subs-1"}});
  ASSERT_EQ(first.status, 200u) << first.body;
  const auto retry = Client().Send(verb::put, "/v1/portal/subscriptions", token, body, "application/json",
                                   {{"Idempotency-Key", "subs-1"}});
  EXPECT_EQ(retry.status, 200u) << retry.body;
  EXPECT_EQ(retry.body, first.body) << "the first reply, with its position: nothing appended again";
  const std::string other = json::serialize(
      json::object{{"subscriptions", json::array{json::object{{"kind", "note_added"}, {"channels", {"email"}}}}}});
  EXPECT_EQ(Client().Send(verb::put, "/v1/portal/subscriptions", token, other, "application/json",
                          {{"Idempotency-Key", "subs-1"}})
                .status,
            422u);
}

// Logout ends the session that authenticates it; a retry with the same token and key still
// gets the first reply, not a 401.
TEST_F(PortalSecurityTest, RetriedLogoutReplaysTheFirstReply) {
  const std::string token = sys_->LoginOk("e-two");
  const auto first = Client().Send(verb::post, "/v1/portal/logout", token, "", "application/json",
                                   {{"Idempotency-Key", "bye-1"}});
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(Client().Get("/v1/portal/me", token).status, 401u) << "the session ended";
  const auto retry = Client().Send(verb::post, "/v1/portal/logout", token, "", "application/json",
                                   {{"Idempotency-Key", "bye-1"}});
  EXPECT_EQ(retry.status, 200u) << retry.body;
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(Client().Send(verb::post, "/v1/portal/logout", token).status, 401u) << "without the key: no session";
}

TEST_F(PortalSecurityTest, ImpersonationRefusesUnknownArchivedAndDisabled) {
  ExpectOk(Client().Post("/v1/users/n-arch/archive", kAdminKey, json::object{}));
  sys_->CreateOrg("shut", "client", "disabled");
  sys_->CreateUser("shut", "shut-user", "client-manager");
  const auto head = sys_->Head();
  const auto unknown = Client().Post("/v1/users/nobody/impersonate", kAdminKey, json::object{});
  EXPECT_EQ(unknown.status, 404u) << unknown.body;
  const auto archived = Client().Post("/v1/users/n-arch/impersonate", kAdminKey, json::object{});
  EXPECT_EQ(archived.status, 422u) << archived.body;
  EXPECT_EQ(archived.content_type, "application/problem+json");
  const auto disabled = Client().Post("/v1/users/shut-user/impersonate", kAdminKey, json::object{});
  EXPECT_EQ(disabled.status, 422u) << disabled.body;
  const auto keyed = Client().Send(verb::post, "/v1/users/n-mgr/impersonate", kAdminKey, "{}",
                                   "application/json", {{"Idempotency-Key", "imp-1"}});
  EXPECT_EQ(keyed.status, 400u) << keyed.body;
  const auto portal_user = Client().Post("/v1/users/n-mgr/impersonate", sys_->LoginOk("s-mgr"),
                                         json::object{});
  EXPECT_EQ(portal_user.status, 401u) << portal_user.body;
  // Only the successful login of s-mgr above was appended.
  EXPECT_EQ(sys_->Head(), head + 1);
}

TEST_F(PortalSecurityTest, MustResetPasswordAllowsOnlyThePasswordChange) {
  const auto created = Staff(verb::post, "/v1/orgs/north/users",
                             {{"user_id", "n-reset"}, {"username", "n-reset@example.com"},
                              {"display_name", "Reset"}, {"email", "n-reset@example.com"},
                              {"user_type", "active"}, {"level", "client-manager"},
                              {"password", RunningSystem::PasswordOf("n-reset")},
                              {"must_reset_password", true}});
  ASSERT_EQ(created.status, 200u) << created.body;
  const auto login = sys_->Login("n-reset", RunningSystem::PasswordOf("n-reset"));
  ASSERT_EQ(login.status, 200u) << login.body;
  EXPECT_EQ(login.json().at("must_reset_password"), true);
  const std::string token = Str(login.json().at("token"));

  for (const std::string target : {"/v1/portal/resources", "/v1/portal/resources/n-task",
                                   "/v1/portal/resources/n-task/notes", "/v1/portal/sessions"}) {
    const auto refused = Client().Get(target, token);
    EXPECT_EQ(refused.status, 403u) << target << " " << refused.body;
    EXPECT_EQ(refused.content_type, "application/problem+json");
    EXPECT_EQ(refused.json().at("type"), "urn:portico:problem:password-change-required") << refused.body;
  }
  EXPECT_EQ(Client().Get("/v1/portal/me", token).status, 200u);

  const auto changed = Client().Post("/v1/portal/password", token,
                                     {{"current_password", RunningSystem::PasswordOf("n-reset")},
                                      {"new_password", "a brand new secret"}});
  ASSERT_EQ(changed.status, 200u) << changed.body;
  const auto list = Client().Get("/v1/portal/resources?min_position=" +
                                     std::to_string(RunningSystem::Position(changed)),
                                 token);
  EXPECT_EQ(list.status, 200u) << list.body;

  // A forced reset puts the rule back; logging out stays possible.
  ExpectOk(Client().Post("/v1/users/n-reset/force-reset", kAdminKey, json::object{}));
  const auto again = sys_->Login("n-reset", "a brand new secret");
  ASSERT_EQ(again.status, 200u) << again.body;
  const std::string second = Str(again.json().at("token"));
  EXPECT_EQ(Client().Get("/v1/portal/resources", second).status, 403u);
  EXPECT_EQ(Client().Post("/v1/portal/logout", second, json::object{}).status, 200u);
}

TEST_F(PortalSecurityTest, DisablingAnOrganisationEndsAllItsUsersSessionsAtOnce) {
  const std::vector<std::string> tokens = {sys_->LoginOk("e-one"), sys_->LoginOk("e-one"),
                                           sys_->LoginOk("e-two"),
                                           Str(Impersonate("e-two").at("token"))};
  const auto bystander = sys_->LoginOk("w-one");
  for (const auto& token : tokens) ASSERT_EQ(Client().Get("/v1/portal/me", token).status, 200u);

  const auto disabled = Client().Post("/v1/orgs/east/access", kAdminKey, {{"mode", "disabled"}});
  ASSERT_EQ(disabled.status, 200u) << disabled.body;
  EXPECT_EQ(disabled.json().at("ended_sessions"), 4);
  // The very next request of each fails; no wait, no min_position.
  for (const auto& token : tokens) {
    EXPECT_EQ(Client().Get("/v1/portal/resources", token).status, 401u);
  }
  EXPECT_EQ(sys_->Login("e-one", RunningSystem::PasswordOf("e-one")).status, 401u);
  const auto sessions = Client().Get("/v1/users/e-one/sessions?min_position=" +
                                         std::to_string(RunningSystem::Position(disabled)),
                                     kAdminKey);
  ASSERT_EQ(sessions.status, 200u);
  EXPECT_TRUE(sessions.json().at("sessions").as_array().empty()) << sessions.body;
  EXPECT_EQ(Client().Get("/v1/portal/me", bystander).status, 200u);
}

TEST_F(PortalSecurityTest, ContactOfOneOrganisationNeverSeesAnotherWhateverIdsItGuesses) {
  const auto south_token = sys_->LoginOk("s-mgr");
  const auto south_session = Client().Get("/v1/portal/sessions", south_token);
  ASSERT_EQ(south_session.status, 200u);
  const std::string south_session_id =
      Str(south_session.json().at("sessions").as_array()[0].at("session_id"));

  const auto token = sys_->LoginOk("n-mgr");
  const auto head = sys_->Head();
  // Resources and notes of the other organisation: 404, exactly like ids that do not exist.
  for (const std::string target :
       {"/v1/portal/resources/s-task", "/v1/portal/resources/s-quote",
        "/v1/portal/resources/s-task/notes", "/v1/portal/resources/s-note",
        "/v1/portal/resources/..%2Fs-task", "/v1/portal/resources/S-TASK",
        "/v1/portal/resources/no-such-thing", "/v1/portal/resources/no-such-thing/notes"}) {
    const auto reply = Client().Get(target, token);
    EXPECT_EQ(reply.status, 404u) << target << " " << reply.body;
    EXPECT_EQ(reply.body.find("South"), std::string::npos) << target;
  }
  for (const std::string query : {"", "?type=task", "?type=quote", "?status=open"}) {
    const auto list = Client().Get("/v1/portal/resources" + query, token);
    EXPECT_EQ(list.body.find("s-"), std::string::npos) << query << " " << list.body;
  }
  // Sessions: only its own.
  const auto mine = Client().Get("/v1/portal/sessions", token);
  ASSERT_EQ(mine.status, 200u);
  EXPECT_EQ(mine.body.find(south_session_id), std::string::npos);
  EXPECT_EQ(mine.json().at("sessions").as_array().size(), 1u) << mine.body;
  const auto me = Client().Get("/v1/portal/me", token);
  EXPECT_EQ(me.body.find("south"), std::string::npos) << me.body;
  // Users, sessions, notes and the audit are staff routes: a session token is no staff key.
  for (const std::string target : {"/v1/users/s-mgr", "/v1/users/s-mgr/sessions", "/v1/orgs/south",
                                   "/v1/audit?org_id=south", "/v1/events"}) {
    const auto reply = Client().Get(target, token);
    EXPECT_EQ(reply.status, 401u) << target << " " << reply.body;
    EXPECT_EQ(reply.body.find("s-mgr@"), std::string::npos) << target;
  }
  EXPECT_EQ(Client().Delete("/v1/sessions/" + south_session_id, token).status, 401u);
  EXPECT_EQ(Client().Delete("/v1/users/s-mgr/sessions", token).status, 401u);
  EXPECT_EQ(Client().Post("/v1/notes/s-note/visibility", token, {{"visibility", "internal"}}).status,
            401u);
  EXPECT_EQ(Client().Post("/v1/users/s-mgr/impersonate", token, json::object{}).status, 401u);
  EXPECT_EQ(sys_->Head(), head);  // nothing appended
  EXPECT_EQ(Client().Get("/v1/portal/resources/s-task", south_token).status, 200u);
}

}  // namespace
}  // namespace portico::gateway
