// The staff and portal routes end to end: a real System (log, embedded Kafka, relay,
// projections, HTTP) on a temporary data directory, spoken to over a loopback socket.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "app/http_client.h"
#include "app/running_system.h"

namespace portico::gateway {
namespace {

using app_testing::HttpClient;
using app_testing::HttpReply;
namespace json = boost::json;

using app_testing::kAdminKey;
using app_testing::RunningSystem;

class RoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sys_ = new RunningSystem("app-test");
    ASSERT_TRUE(sys_->started());
    client_ = &sys_->client();
    Seed();
  }

  static void TearDownTestSuite() {
    delete sys_;
    sys_ = nullptr;
    client_ = nullptr;
  }

  static HttpReply Staff(boost::beast::http::verb verb, const std::string& target,
                         const json::value& body = nullptr) {
    return sys_->Staff(verb, target, body);
  }
  static std::uint64_t Position(const HttpReply& reply) { return RunningSystem::Position(reply); }
  static std::uint64_t Head() { return sys_->Head(); }
  static void ExpectOk(const HttpReply& reply) { EXPECT_EQ(reply.status, 200u) << reply.body; }
  static void CreateUser(const std::string& org, const std::string& id, const std::string& level) {
    sys_->CreateUser(org, id, level);
  }
  static HttpReply Login(const std::string& user, const std::string& password) {
    return sys_->Login(user, password);
  }
  static std::string LoginOk(const std::string& user) { return sys_->LoginOk(user); }

  static void Seed() {
    using boost::beast::http::verb;
    for (const char* org : {"acme", "globex"}) sys_->CreateOrg(org);
    CreateUser("acme", "alice", "client-manager");
    CreateUser("acme", "archie", "client-manager");
    CreateUser("globex", "gina", "client-manager");
    ExpectOk(Staff(verb::put, "/v1/resources/a-task",
                   {{"type", "task"}, {"org_id", "acme"}, {"title", "Fix the boiler"}}));
    ExpectOk(Staff(verb::put, "/v1/resources/a-quote",
                   {{"type", "quote"}, {"org_id", "acme"}, {"title", "New boiler"}}));
    ExpectOk(Staff(verb::put, "/v1/resources/g-task",
                   {{"type", "task"}, {"org_id", "globex"}, {"title", "Globex job"}}));
    ExpectOk(Staff(verb::post, "/v1/notes",
                   {{"note_id", "n-client"}, {"resource_id", "a-task"},
                    {"body", "We are on it"}, {"visibility", "client"}}));
    ExpectOk(Staff(verb::post, "/v1/notes",
                   {{"note_id", "n-internal"}, {"resource_id", "a-task"},
                    {"body", "Customer is difficult"}, {"visibility", "internal"}}));
  }

  static inline RunningSystem* sys_ = nullptr;
  static inline const HttpClient* client_ = nullptr;
};

TEST_F(RoutesTest, StaffReadsOrgAndUser) {
  auto org = client_->Get("/v1/orgs/acme?min_position=" + std::to_string(Head()), kAdminKey);
  ASSERT_EQ(org.status, 200u) << org.body;
  const auto org_json = org.json();
  EXPECT_EQ(org_json.at("kind"), "client");
  EXPECT_EQ(org_json.at("access_mode"), "enabled");
  auto user = client_->Get("/v1/users/alice?min_position=" + std::to_string(Head()), kAdminKey);
  ASSERT_EQ(user.status, 200u) << user.body;
  const auto user_json = user.json();
  EXPECT_EQ(user_json.at("level"), "client-manager");
  EXPECT_EQ(user_json.at("has_password"), true);
  EXPECT_EQ(user.body.find("argon2"), std::string::npos);  // the hash never leaves
  EXPECT_EQ(client_->Get("/v1/orgs/nope", kAdminKey).status, 404u);
  auto check = client_->Get("/v1/check?user_id=alice&capability=quotes.view&resource_id=a-quote",
                            kAdminKey);
  ASSERT_EQ(check.status, 200u) << check.body;
  const auto check_json = check.json();
  EXPECT_EQ(check_json.at("allowed"), true);
}

TEST_F(RoutesTest, DuplicateOrgIsConflictAndUnknownParentIsNotFound) {
  using boost::beast::http::verb;
  EXPECT_EQ(Staff(verb::post, "/v1/orgs", {{"org_id", "acme"}, {"name", "x"}, {"kind", "client"}})
                .status,
            409u);
  EXPECT_EQ(Staff(verb::post, "/v1/orgs",
                  {{"org_id", "sub"}, {"name", "x"}, {"kind", "client"}, {"parent_org_id", "zzz"}})
                .status,
            404u);
}

TEST_F(RoutesTest, PortalSeesExactlyItsOwnResources) {
  const auto token = LoginOk("alice");
  ASSERT_FALSE(token.empty());
  auto me = client_->Get("/v1/portal/me", token);
  ASSERT_EQ(me.status, 200u) << me.body;
  const auto me_json = me.json();
  EXPECT_EQ(me_json.at("user").at("user_id"), "alice");
  EXPECT_EQ(me_json.at("org").at("org_id"), "acme");

  auto list = client_->Get("/v1/portal/resources", token);
  ASSERT_EQ(list.status, 200u) << list.body;
  std::set<std::string> ids;
  const auto list_json = list.json();
  for (const auto& r : list_json.at("resources").as_array()) {
    ids.insert(std::string(r.at("resource_id").as_string()));
  }
  EXPECT_EQ(ids, (std::set<std::string>{"a-quote", "a-task"}));

  auto tasks = client_->Get("/v1/portal/resources?type=task", token);
  ASSERT_EQ(tasks.status, 200u);
  const auto tasks_json = tasks.json();
  EXPECT_EQ(tasks_json.at("resources").as_array().size(), 1u);

  EXPECT_EQ(client_->Get("/v1/portal/resources/a-task", token).status, 200u);
  auto other = client_->Get("/v1/portal/resources/g-task", token);
  EXPECT_EQ(other.status, 404u);
  EXPECT_EQ(other.content_type, "application/problem+json");
  EXPECT_EQ(client_->Get("/v1/portal/resources/g-task/notes", token).status, 404u);

  auto notes = client_->Get("/v1/portal/resources/a-task/notes", token);
  ASSERT_EQ(notes.status, 200u) << notes.body;
  const auto notes_json = notes.json();
  const auto& arr = notes_json.at("notes").as_array();
  ASSERT_EQ(arr.size(), 1u);
  EXPECT_EQ(arr[0].at("note_id"), "n-client");
}

TEST_F(RoutesTest, BadLoginsAreTheSame401) {
  auto wrong = Login("alice", "not the password");
  auto unknown = Login("nobody", "whatever password");
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_EQ(unknown.status, 401u);
  const auto wrong_json = wrong.json();
  const auto unknown_json = unknown.json();
  EXPECT_EQ(wrong_json.at("detail"), unknown_json.at("detail"));
  EXPECT_EQ(client_->Get("/v1/portal/me", "not-a-token").status, 401u);
  EXPECT_EQ(client_->Get("/v1/portal/me").status, 401u);
}

TEST_F(RoutesTest, EndedSessionFailsOnTheNextRequest) {
  auto login = Login("alice", "correct horse alice");
  ASSERT_EQ(login.status, 200u) << login.body;
  const auto login_json = login.json();
  const std::string token(login_json.at("token").as_string());
  const std::string session(login_json.at("session_id").as_string());
  ASSERT_EQ(client_->Get("/v1/portal/me", token).status, 200u);
  auto sessions = client_->Get("/v1/users/alice/sessions", kAdminKey);
  ASSERT_EQ(sessions.status, 200u);
  EXPECT_NE(sessions.body.find(session), std::string::npos);
  ExpectOk(client_->Delete("/v1/sessions/" + session, kAdminKey));
  EXPECT_EQ(client_->Get("/v1/portal/me", token).status, 401u);
}

TEST_F(RoutesTest, LogoutEndsTheSession) {
  const auto token = LoginOk("gina");
  ASSERT_EQ(client_->Get("/v1/portal/me", token).status, 200u);
  ExpectOk(client_->Post("/v1/portal/logout", token, json::object{}));
  EXPECT_EQ(client_->Get("/v1/portal/me", token).status, 401u);
}

TEST_F(RoutesTest, ArchivedUserSessionsFailAtOnce) {
  const auto first = LoginOk("archie");
  const auto second = LoginOk("archie");
  ASSERT_EQ(client_->Get("/v1/portal/resources", first).status, 200u);
  auto archived = client_->Post("/v1/users/archie/archive", kAdminKey, json::object{});
  ASSERT_EQ(archived.status, 200u) << archived.body;
  const auto archived_json = archived.json();
  EXPECT_EQ(archived_json.at("ended_sessions"), 2);
  EXPECT_EQ(client_->Get("/v1/portal/resources", first).status, 401u);
  EXPECT_EQ(client_->Get("/v1/portal/me", second).status, 401u);
  EXPECT_EQ(Login("archie", "correct horse archie").status, 401u);
}

TEST_F(RoutesTest, BadRequestsAppendNothing) {
  const auto head = Head();
  auto malformed = client_->Send(boost::beast::http::verb::post, "/v1/orgs", kAdminKey,
                                 "{\"org_id\": ");
  EXPECT_EQ(malformed.status, 400u);
  EXPECT_EQ(malformed.content_type, "application/problem+json");
  auto unknown = Staff(boost::beast::http::verb::post, "/v1/orgs",
                       {{"org_id", "x1"}, {"name", "x"}, {"kind", "client"}, {"colour", "red"}});
  EXPECT_EQ(unknown.status, 400u);
  const auto unknown_json = unknown.json();
  EXPECT_EQ(unknown_json.at("field"), "colour");
  auto unauthenticated = client_->Post("/v1/orgs", "", {{"org_id", "x2"}, {"name", "x"}, {"kind", "client"}});
  EXPECT_EQ(unauthenticated.status, 401u);
  EXPECT_EQ(unauthenticated.content_type, "application/problem+json");
  auto wrong_key = client_->Post("/v1/orgs", "wrong-key", {{"org_id", "x3"}, {"name", "x"}, {"kind", "client"}});
  EXPECT_EQ(wrong_key.status, 401u);
  auto short_password = Staff(boost::beast::http::verb::post, "/v1/orgs/acme/users",
                              {{"user_id", "shorty"}, {"username", "shorty"}, {"display_name", "S"},
                               {"email", "s@example.com"}, {"user_type", "active"},
                               {"level", "client-base"}, {"password", "abc"}});
  EXPECT_EQ(short_password.status, 422u) << short_password.body;
  EXPECT_EQ(Head(), head);
}

TEST_F(RoutesTest, AuditShowsTheActor) {
  auto audit = client_->Get("/v1/audit?org_id=acme&min_position=" + std::to_string(Head()),
                            kAdminKey);
  ASSERT_EQ(audit.status, 200u) << audit.body;
  const auto audit_json = audit.json();
  const auto& events = audit_json.at("events").as_array();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].at("type"), "org_registered");
  EXPECT_EQ(events[0].at("actor"), "admin");
  auto log = client_->Get("/v1/events?from=1&limit=2", kAdminKey);
  ASSERT_EQ(log.status, 200u) << log.body;
  const auto log_json = log.json();
  EXPECT_EQ(log_json.at("events").as_array().size(), 2u);
}

}  // namespace
}  // namespace portico::gateway

namespace portico::gateway {
namespace {

TEST_F(RoutesTest, SettingsRoundTrip) {
  using boost::beast::http::verb;
  auto put = Staff(verb::put, "/v1/settings",
                   {{"portal_enabled", true}, {"self_registration", "off"},
                    {"password_min_length", 8}, {"session_idle_minutes", 30},
                    {"session_absolute_hours", 12}, {"lockout_threshold", 5},
                    {"lockout_minutes", 15}});
  ASSERT_EQ(put.status, 200u) << put.body;
  auto get = client_->Get("/v1/settings?min_position=" + std::to_string(Position(put)), kAdminKey);
  ASSERT_EQ(get.status, 200u) << get.body;
  const auto body = get.json();
  EXPECT_EQ(body.at("password_min_length"), 8);
  EXPECT_EQ(body.at("self_registration"), "off");
}

TEST_F(RoutesTest, LevelsListsPresetsAndDefinesCustomLevels) {
  using boost::beast::http::verb;
  auto put = Staff(verb::put, "/v1/levels/site-viewer",
                   {{"name", "Site viewer"},
                    {"capabilities", json::array{json::object{{"capability", "tasks.create"}}}}});
  ASSERT_EQ(put.status, 200u) << put.body;
  auto preset = Staff(verb::put, "/v1/levels/client-manager",
                      {{"name", "Mine now"}, {"capabilities", json::array{}}});
  EXPECT_NE(preset.status, 200u) << preset.body;
  auto get = client_->Get("/v1/levels?min_position=" + std::to_string(Position(put)), kAdminKey);
  ASSERT_EQ(get.status, 200u) << get.body;
  std::set<std::string> ids;
  bool custom_seen = false;
  const auto body = get.json();
  for (const auto& level : body.at("levels").as_array()) {
    const auto& o = level.as_object();
    ids.emplace(o.at("level_id").as_string());
    if (o.at("level_id") == "site-viewer") {
      custom_seen = true;
      EXPECT_EQ(o.at("name"), "Site viewer");
      EXPECT_EQ(o.at("preset"), false);
      ASSERT_EQ(o.at("capabilities").as_array().size(), 1u) << get.body;
      EXPECT_EQ(o.at("capabilities").as_array()[0].at("capability"), "tasks.create");
    }
    if (o.at("level_id") == "client-manager") {
      EXPECT_EQ(o.at("preset"), true);
      EXPECT_TRUE(o.contains("seed"));
      EXPECT_FALSE(o.at("capabilities").as_array().empty());
    }
  }
  EXPECT_TRUE(custom_seen) << get.body;
  for (const char* preset_id : {"client-manager", "client-base", "contractor-manager",
                                "contractor-base", "client-self-service", "portal-basic",
                                "portal-advanced", "portal-manager"}) {
    EXPECT_TRUE(ids.count(preset_id)) << preset_id;
  }
}

TEST_F(RoutesTest, PortalPasswordChangeEndsTheOtherSessions) {
  CreateUser("acme", "pat", "client-manager");
  const auto first = LoginOk("pat");
  const auto second = LoginOk("pat");
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(second.empty());
  auto wrong = client_->Post("/v1/portal/password", first,
                             {{"current_password", "not it"}, {"new_password", "a new secret 1"}});
  EXPECT_EQ(wrong.status, 400u) << wrong.body;
  auto weak = client_->Post("/v1/portal/password", first,
                            {{"current_password", "correct horse pat"}, {"new_password", "x"}});
  EXPECT_EQ(weak.status, 422u) << weak.body;
  EXPECT_EQ(client_->Get("/v1/portal/me", second).status, 200u);

  auto changed = client_->Post("/v1/portal/password", first,
                               {{"current_password", "correct horse pat"},
                                {"new_password", "a new secret 1"}});
  ASSERT_EQ(changed.status, 200u) << changed.body;
  EXPECT_EQ(changed.json().at("ended_sessions"), 1);
  EXPECT_EQ(client_->Get("/v1/portal/me", second).status, 401u);
  EXPECT_EQ(client_->Get("/v1/portal/me", first).status, 200u);
  EXPECT_EQ(Login("pat", "correct horse pat").status, 401u);
  EXPECT_EQ(Login("pat", "a new secret 1").status, 200u);
}

TEST_F(RoutesTest, LoginsAreRateLimitedPerUserName) {
  constexpr int kAttempts = 24;
  std::vector<HttpReply> replies(kAttempts);
  std::vector<std::thread> threads;
  for (int i = 0; i < kAttempts; ++i) {
    threads.emplace_back([&replies, i] {
      replies[i] = client_->Post("/v1/portal/login", "",
                                 {{"username", "rate-limited@example.com"}, {"password", "guess"}});
    });
  }
  for (auto& t : threads) t.join();
  int limited = 0;
  for (const auto& reply : replies) {
    if (reply.status == 429) {
      ++limited;
      EXPECT_FALSE(reply.retry_after.empty());
    } else {
      EXPECT_EQ(reply.status, 401u) << reply.body;
    }
  }
  EXPECT_GE(limited, 1);
  EXPECT_LE(limited, kAttempts - 10);
  // Another user name from the same address is not held back.
  EXPECT_EQ(Login("gina", "correct horse gina").status, 200u);
}

}  // namespace
}  // namespace portico::gateway
