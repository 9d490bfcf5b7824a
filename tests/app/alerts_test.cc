// Alerts end to end over HTTP (a whole System with the embedded Kafka): subscriptions, alert
// sets, the in-portal inbox and its read state, and the rule that a user is never alerted
// about something it may not see, cross-checked against the access read model.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
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

class AlertsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sys_ = new RunningSystem("alerts-test");
    ASSERT_TRUE(sys_->started());
    sys_->CreateOrg("acme");
    sys_->CreateOrg("globex");
    sys_->CreateOrg("readonly", "client", "restricted");
    sys_->CreateUser("acme", "alice", "portal-advanced");
    sys_->CreateUser("acme", "ann", "portal-advanced");
    sys_->CreateUser("acme", "bob", "client-base");  // no alerts.subscribe
    sys_->CreateUser("globex", "gina", "portal-advanced");
    sys_->CreateUser("readonly", "rex", "portal-advanced");
    Ok(Staff(verb::put, "/v1/resources/a-task", {{"type", "task"}, {"org_id", "acme"}, {"title", "Fix the boiler"}}));
    Ok(Staff(verb::put, "/v1/resources/g-task", {{"type", "task"}, {"org_id", "globex"}, {"title", "Globex job"}}));
    alice_ = sys_->LoginOk("alice");
    gina_ = sys_->LoginOk("gina");
  }
  static void TearDownTestSuite() {
    delete sys_;
    sys_ = nullptr;
  }

  static HttpReply Staff(verb v, const std::string& target, const json::value& body = nullptr) {
    return sys_->Staff(v, target, body);
  }
  static std::uint64_t Ok(const HttpReply& reply) {
    EXPECT_EQ(reply.status, 200u) << reply.body;
    return RunningSystem::Position(reply);
  }
  static json::value Subscriptions(std::initializer_list<std::pair<const char*, std::vector<std::string>>> list) {
    json::array out;
    for (const auto& [kind, channels] : list) {
      json::array ch;
      for (const auto& c : channels) ch.emplace_back(c);
      out.push_back({{"kind", kind}, {"channels", std::move(ch)}});
    }
    return {{"subscriptions", std::move(out)}};
  }
  // The user's inbox once the alerts model has applied `position`.
  static json::object Inbox(const std::string& token, std::uint64_t position, const std::string& extra = {}) {
    auto reply = sys_->client().Get("/v1/portal/alerts?min_position=" + std::to_string(position) + extra, token);
    EXPECT_EQ(reply.status, 200u) << reply.body;
    return reply.json().as_object();
  }
  // The (kind, resource or note) of each alert of the inbox.
  static std::set<std::string> Keys(const json::object& inbox) {
    std::set<std::string> out;
    for (const auto& a : inbox.at("alerts").as_array()) {
      const auto& o = a.as_object();
      out.insert(std::string(o.at("kind").as_string()) + ":" +
                 std::string(o.contains("note_id") ? o.at("note_id").as_string() : o.at("resource_id").as_string()));
    }
    return out;
  }
  static bool Allowed(const std::string& user, const std::string& capability, const std::string& resource,
                      std::uint64_t position) {
    auto reply = sys_->client().Get("/v1/check?user_id=" + user + "&capability=" + capability + "&resource_id=" +
                                        resource + "&min_position=" + std::to_string(position),
                                    kAdminKey);
    EXPECT_EQ(reply.status, 200u) << reply.body;
    return reply.json().at("allowed").as_bool();
  }
  static bool NoteVisible(const std::string& token, const std::string& resource, const std::string& note,
                          std::uint64_t position) {
    auto reply = sys_->client().Get(
        "/v1/portal/resources/" + resource + "/notes?min_position=" + std::to_string(position), token);
    if (reply.status != 200) return false;
    const json::value body = reply.json();
    for (const auto& n : body.at("notes").as_array()) {
      if (n.at("note_id").as_string() == note) return true;
    }
    return false;
  }

  static inline RunningSystem* sys_ = nullptr;
  static inline std::string alice_, gina_;
};

TEST_F(AlertsTest, SubscribersGetAlertsOnlyAboutWhatTheyMaySee) {
  const auto subs = Subscriptions({{"note_added", {"in_portal"}},
                                   {"note_shared", {"in_portal"}},
                                   {"file_added", {"in_portal"}},
                                   {"task_status_changed", {"in_portal"}}});
  Ok(sys_->client().Put("/v1/portal/subscriptions", alice_, subs));
  Ok(sys_->client().Put("/v1/portal/subscriptions", gina_, subs));

  // A client note on acme's task: alice sees it, gina (globex) does not.
  Ok(Staff(verb::post, "/v1/notes",
           {{"note_id", "n1"}, {"resource_id", "a-task"}, {"body", "On our way"}, {"visibility", "client"}}));
  // An internal note: nobody.
  Ok(Staff(verb::post, "/v1/notes",
           {{"note_id", "n-int"}, {"resource_id", "a-task"}, {"body", "Difficult"}, {"visibility", "internal"}}));
  // A file of globex: gina only.
  Ok(Staff(verb::put, "/v1/resources/g-file", {{"type", "file"}, {"org_id", "globex"}, {"title", "Plan.pdf"}}));
  // alice loses files.view: acme's next file gives her no alert.
  Ok(Staff(verb::delete_, "/v1/users/alice/grants/files.view"));
  Ok(Staff(verb::put, "/v1/resources/a-file", {{"type", "file"}, {"org_id", "acme"}, {"title", "Invoice.pdf"}}));
  // The internal note is shared with the client later: now alice may see it.
  Ok(Staff(verb::post, "/v1/notes/n-int/visibility", {{"visibility", "client"}}));
  // acme's task completes.
  const auto last = Ok(Staff(verb::put, "/v1/resources/a-task",
                             {{"type", "task"}, {"org_id", "acme"}, {"title", "Fix the boiler"}, {"status", "completed"}}));

  const auto alice = Inbox(alice_, last);
  const auto gina = Inbox(gina_, last);
  EXPECT_EQ(Keys(alice), (std::set<std::string>{"note_added:n1", "note_shared:n-int", "task_status_changed:a-task"}))
      << json::serialize(alice);
  EXPECT_EQ(Keys(gina), (std::set<std::string>{"file_added:g-file"})) << json::serialize(gina);

  // Cross-check with the access read model: what alerted is visible, what did not is not.
  EXPECT_TRUE(NoteVisible(alice_, "a-task", "n1", last));
  EXPECT_FALSE(NoteVisible(gina_, "a-task", "n1", last));
  EXPECT_FALSE(Allowed("alice", "files.view", "g-file", last));
  EXPECT_TRUE(Allowed("gina", "files.view", "g-file", last));
  EXPECT_FALSE(Allowed("alice", "files.view", "a-file", last));
  EXPECT_TRUE(Allowed("ann", "files.view", "a-file", last));  // ann kept it, but did not subscribe
  EXPECT_FALSE(Allowed("gina", "tasks.view.completed", "a-task", last));
  EXPECT_TRUE(Allowed("alice", "tasks.view.completed", "a-task", last));
}

TEST_F(AlertsTest, InboxKeepsReadState) {
  Ok(sys_->client().Put("/v1/portal/subscriptions", gina_, Subscriptions({{"resource_added", {"in_portal"}}})));
  Ok(Staff(verb::put, "/v1/resources/g-quote", {{"type", "quote"}, {"org_id", "globex"}, {"title", "Q1"}}));
  const auto last = Ok(Staff(verb::put, "/v1/resources/g-proj", {{"type", "project"}, {"org_id", "globex"}, {"title", "P1"}}));
  auto inbox = Inbox(gina_, last);
  // portal-advanced sees projects but not quotes.
  EXPECT_TRUE(Keys(inbox).contains("resource_added:g-proj")) << json::serialize(inbox);
  EXPECT_FALSE(Keys(inbox).contains("resource_added:g-quote"));
  const auto unread = inbox.at("unread").as_int64();
  ASSERT_GE(unread, 1);
  const std::string id(inbox.at("alerts").as_array()[0].at("alert_id").as_string());
  EXPECT_EQ(inbox.at("alerts").as_array()[0].at("read"), false);

  const auto read = Ok(sys_->client().Post("/v1/portal/alerts/" + id + "/read", gina_, json::object{}));
  inbox = Inbox(gina_, read);
  EXPECT_EQ(inbox.at("unread").as_int64(), unread - 1);
  EXPECT_EQ(inbox.at("alerts").as_array()[0].at("read"), true);
  const auto unread_only = Inbox(gina_, read, "&unread=true");
  for (const auto& a : unread_only.at("alerts").as_array()) EXPECT_NE(a.at("alert_id").as_string(), id);

  // Another user's alert, or an unknown one, is 404 (never 403).
  EXPECT_EQ(sys_->client().Post("/v1/portal/alerts/" + id + "/read", alice_, json::object{}).status, 404u);
  EXPECT_EQ(sys_->client().Post("/v1/portal/alerts/999999/read", gina_, json::object{}).status, 404u);
  EXPECT_EQ(sys_->client().Get("/v1/portal/alerts").status, 401u);
  EXPECT_EQ(sys_->client().Get("/v1/portal/alerts?limit=0", gina_).status, 400u);
}

TEST_F(AlertsTest, SubscribingIsCheckedAndValidated) {
  const auto good = Subscriptions({{"note_added", {"in_portal", "email"}}});
  EXPECT_EQ(sys_->client().Put("/v1/portal/subscriptions", "", good).status, 401u);
  // Restricted organisation: read-only, so no subscribing.
  const auto rex = sys_->LoginOk("rex");
  const auto restricted = sys_->client().Put("/v1/portal/subscriptions", rex, good);
  EXPECT_EQ(restricted.status, 422u) << restricted.body;
  // A level without alerts.subscribe.
  const auto bob = sys_->LoginOk("bob");
  EXPECT_EQ(sys_->client().Put("/v1/portal/subscriptions", bob, good).status, 422u);

  const auto bad_kind = sys_->client().Put("/v1/portal/subscriptions", alice_, Subscriptions({{"coffee", {"email"}}}));
  EXPECT_EQ(bad_kind.status, 400u);
  EXPECT_EQ(bad_kind.json().at("field"), "subscriptions[0].kind");
  const auto bad_channel = sys_->client().Put("/v1/portal/subscriptions", alice_, Subscriptions({{"note_added", {"sms"}}}));
  EXPECT_EQ(bad_channel.status, 400u);
  EXPECT_NE(bad_channel.body.find("sms"), std::string::npos);
  EXPECT_EQ(sys_->client().Put("/v1/portal/subscriptions", alice_, {{"subscriptions", json::array()}, {"x", 1}}).status,
            400u);
  EXPECT_EQ(sys_->client().Send(verb::put, "/v1/portal/subscriptions", alice_, "{not json").status, 400u);
  const auto twice = sys_->client().Put("/v1/portal/subscriptions", alice_,
                                        Subscriptions({{"note_added", {"email"}}, {"note_added", {"in_portal"}}}));
  EXPECT_EQ(twice.status, 400u) << twice.body;

  const auto pos = Ok(sys_->client().Put("/v1/portal/subscriptions", alice_, good));
  const auto mine = sys_->client().Get("/v1/portal/subscriptions?min_position=" + std::to_string(pos), alice_);
  ASSERT_EQ(mine.status, 200u);
  EXPECT_EQ(json::serialize(mine.json().at("subscriptions")),
            R"([{"kind":"note_added","channels":["in_portal","email"]}])");
}

TEST_F(AlertsTest, StaffAlertSetsReachUsersWithoutSubscribing) {
  EXPECT_EQ(sys_->client().Put("/v1/alert-sets/ops", "", Subscriptions({{"note_added", {"in_portal"}}})).status, 401u);
  const auto set = Subscriptions({{"note_added", {"in_portal"}}});
  json::object body = set.as_object();
  body["name"] = "Operations";
  Ok(Staff(verb::put, "/v1/alert-sets/ops", body));
  EXPECT_EQ(Staff(verb::post, "/v1/users/bob/alert-sets", {{"alert_set_ids", json::array{"nope"}}}).status, 404u);
  EXPECT_EQ(Staff(verb::post, "/v1/users/nobody/alert-sets", {{"alert_set_ids", json::array{"ops"}}}).status, 404u);
  json::object bad = Subscriptions({{"zzz", {"email"}}}).as_object();
  bad["name"] = "x";
  EXPECT_EQ(Staff(verb::put, "/v1/alert-sets/bad", bad).status, 400u);
  Ok(Staff(verb::post, "/v1/users/bob/alert-sets", {{"alert_set_ids", json::array{"ops"}}}));
  // bob is a client-base user: the task contact only. Make him the contact of a task.
  Ok(Staff(verb::put, "/v1/resources/b-task",
           {{"type", "task"}, {"org_id", "acme"}, {"title", "Bob's job"}, {"contact_user_id", "bob"}}));
  Ok(Staff(verb::post, "/v1/notes", {{"note_id", "nb"}, {"resource_id", "b-task"}, {"body", "Hi"}, {"visibility", "client"}}));
  const auto last = Ok(Staff(verb::post, "/v1/notes",
                             {{"note_id", "na"}, {"resource_id", "a-task"}, {"body", "Hello"}, {"visibility", "client"}}));
  const auto bob = sys_->LoginOk("bob");
  const auto inbox = Inbox(bob, last);
  EXPECT_TRUE(Keys(inbox).contains("note_added:nb")) << json::serialize(inbox);
  EXPECT_FALSE(Keys(inbox).contains("note_added:na"));  // a task bob is not the contact of
  EXPECT_FALSE(NoteVisible(bob, "a-task", "na", last));
  const auto mine = sys_->client().Get("/v1/portal/subscriptions", bob);
  ASSERT_EQ(mine.status, 200u);
  EXPECT_EQ(mine.json().at("alert_sets").as_array().size(), 1u);
  const auto sets = Staff(verb::get, "/v1/alert-sets");
  ASSERT_EQ(sets.status, 200u);
  EXPECT_EQ(sets.json().at("alert_sets").as_array()[0].at("name"), "Operations");
}

}  // namespace
}  // namespace portico::gateway
