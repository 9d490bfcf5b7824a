// Portal-user actions end to end: tasks and work requests, notes, estimate approval, payment
// intents and contact details, each checked against capabilities and scopes, refused in a
// restricted organisation, and recorded as events (seen through Kafka in the audit model).
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

json::array Caps(std::initializer_list<std::pair<const char*, const char*>> caps) {
  json::array out;
  for (const auto& [c, s] : caps) {
    json::object entry{{"capability", c}};
    if (*s != '\0') entry["scope"] = s;
    out.push_back(std::move(entry));
  }
  return out;
}

class PortalActionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sys_ = new RunningSystem("portal-actions-test");
    ASSERT_TRUE(sys_->started());
    Ok(sys_->Staff(verb::put, "/v1/levels/pa-doer",
                   {{"name", "Does everything"},
                    {"capabilities", Caps({{"tasks.create", ""}, {"work_requests.submit", "org"},
                                           {"tasks.notes.add", ""}, {"tasks.view.current", "org"},
                                           {"tasks.notes.view", "client_notes"}, {"estimates.view", "org"},
                                           {"estimates.approve", "org"}, {"invoices.view", "org"},
                                           {"invoices.pay", "org"}, {"profile.view", ""},
                                           {"profile.update", ""}})}}));
    Ok(sys_->Staff(verb::put, "/v1/levels/pa-viewer",
                   {{"name", "Looks only"},
                    {"capabilities", Caps({{"tasks.view.current", "org"}, {"tasks.notes.view", "client_notes"},
                                           {"estimates.view", "org"}, {"invoices.view", "org"}})}}));
    sys_->CreateOrg("pa-acme");
    sys_->CreateOrg("pa-globex");
    sys_->CreateOrg("pa-frozen", "client", "restricted");
    sys_->CreateUser("pa-acme", "ada", "pa-doer");
    sys_->CreateUser("pa-acme", "vic", "pa-viewer");
    sys_->CreateUser("pa-globex", "gil", "pa-doer");
    sys_->CreateUser("pa-frozen", "fay", "pa-doer");
    for (const auto& [id, type, org] : {std::tuple{"pa-task", "task", "pa-acme"}, {"pa-est", "estimate", "pa-acme"},
                                        {"pa-inv", "invoice", "pa-acme"}, {"pg-est", "estimate", "pa-globex"},
                                        {"pf-task", "task", "pa-frozen"}, {"pf-est", "estimate", "pa-frozen"},
                                        {"pf-inv", "invoice", "pa-frozen"}}) {
      Ok(sys_->Staff(verb::put, std::string("/v1/resources/") + id,
                     {{"type", type}, {"org_id", org}, {"title", std::string("Record ") + id}}));
    }
    ada_ = sys_->LoginOk("ada");
    vic_ = sys_->LoginOk("vic");
    gil_ = sys_->LoginOk("gil");
    fay_ = sys_->LoginOk("fay");
  }
  static void TearDownTestSuite() {
    delete sys_;
    sys_ = nullptr;
  }
  static void Ok(const HttpReply& reply) { ASSERT_EQ(reply.status, 200u) << reply.body; }

  static HttpReply Post(const std::string& token, const std::string& target, const json::value& body) {
    return sys_->client().Post(target, token, body);
  }

  // The audit record of the user's last event of `type`, once the audit model (fed through
  // Kafka) has applied `position`.
  static json::object LastAudit(const std::string& user, const std::string& type, std::uint64_t position) {
    const auto reply = sys_->Staff(verb::get, "/v1/audit?actor=" + user + "&type=" + type +
                                                  "&min_position=" + std::to_string(position));
    EXPECT_EQ(reply.status, 200u) << reply.body;
    const auto body = reply.json();
    if (!body.is_object() || !body.as_object().contains("events")) return {};
    const auto& events = body.at("events").as_array();
    if (events.empty()) return {};
    return events.back().as_object();
  }

  static inline RunningSystem* sys_ = nullptr;
  static inline std::string ada_, vic_, gil_, fay_;
};

TEST_F(PortalActionsTest, TasksAndWorkRequestsAreRecorded) {
  const auto task = Post(ada_, "/v1/portal/tasks", {{"title", "Leaking tap"}, {"description", "Kitchen, level 2"}});
  ASSERT_EQ(task.status, 200u) << task.body;
  const auto audit = LastAudit("ada", "portal_request_submitted", RunningSystem::Position(task));
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.at("data").at("title").as_string(), "Leaking tap");
  EXPECT_EQ(audit.at("data").at("org_id").as_string(), "pa-acme");
  EXPECT_EQ(audit.at("data").at("request_id").as_string(), task.json().at("request_id").as_string());

  const auto wr = Post(ada_, "/v1/portal/tasks", {{"title", "New socket"}, {"kind", "work_request"}});
  ASSERT_EQ(wr.status, 200u) << wr.body;
  EXPECT_EQ(LastAudit("ada", "portal_request_submitted", RunningSystem::Position(wr)).at("data").at("kind").as_string(),
            "work_request");

  EXPECT_EQ(Post(vic_, "/v1/portal/tasks", {{"title", "Nope"}}).status, 403u) << "no tasks.create";
  EXPECT_EQ(Post(fay_, "/v1/portal/tasks", {{"title", "Frozen"}}).status, 403u) << "restricted organisation";
  EXPECT_EQ(Post("", "/v1/portal/tasks", {{"title", "Anonymous"}}).status, 401u);
  EXPECT_EQ(Post(ada_, "/v1/portal/tasks", {{"title", ""}}).status, 400u);
  EXPECT_EQ(Post(ada_, "/v1/portal/tasks", {{"title", "x"}, {"kind", "wish"}}).status, 400u);
}

TEST_F(PortalActionsTest, NotesOfAPortalUserAreVisibleToItsOrganisation) {
  const auto note = Post(ada_, "/v1/portal/resources/pa-task/notes", {{"body", "Please come after 10am"}});
  ASSERT_EQ(note.status, 200u) << note.body;
  const std::string min = "?min_position=" + std::to_string(RunningSystem::Position(note));
  const auto seen = sys_->client().Get("/v1/portal/resources/pa-task/notes" + min, vic_);
  ASSERT_EQ(seen.status, 200u) << seen.body;
  EXPECT_NE(seen.body.find("Please come after 10am"), std::string::npos);
  EXPECT_EQ(sys_->client().Get("/v1/portal/resources/pa-task/notes" + min, gil_).status, 404u);

  EXPECT_EQ(Post(gil_, "/v1/portal/resources/pa-task/notes", {{"body", "hi"}}).status, 404u) << "not visible";
  EXPECT_EQ(Post(ada_, "/v1/portal/resources/no-such/notes", {{"body", "hi"}}).status, 404u);
  EXPECT_EQ(Post(vic_, "/v1/portal/resources/pa-task/notes", {{"body", "hi"}}).status, 403u) << "no tasks.notes.add";
  EXPECT_EQ(Post(fay_, "/v1/portal/resources/pf-task/notes", {{"body", "hi"}}).status, 403u) << "restricted";
}

TEST_F(PortalActionsTest, EstimatesAreApprovedOnlyWithTheCapability) {
  const auto approved = Post(ada_, "/v1/portal/resources/pa-est/approve", {{"comment", "Go ahead"}});
  ASSERT_EQ(approved.status, 200u) << approved.body;
  const auto audit = LastAudit("ada", "estimate_approved", RunningSystem::Position(approved));
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.at("data").at("resource_id").as_string(), "pa-est");

  EXPECT_EQ(Post(vic_, "/v1/portal/resources/pa-est/approve", json::object{}).status, 403u) << "sees, cannot approve";
  EXPECT_EQ(Post(ada_, "/v1/portal/resources/pg-est/approve", json::object{}).status, 404u) << "another org's";
  EXPECT_EQ(Post(ada_, "/v1/portal/resources/pa-task/approve", json::object{}).status, 422u) << "not an estimate";
  EXPECT_EQ(Post(fay_, "/v1/portal/resources/pf-est/approve", json::object{}).status, 403u) << "restricted";
}

TEST_F(PortalActionsTest, PaymentIntentsAreRecordedOnInvoices) {
  const auto paid = Post(ada_, "/v1/portal/resources/pa-inv/payment-intents",
                         {{"amount_cents", 12550}, {"currency", "AUD"}, {"method", "card"}});
  ASSERT_EQ(paid.status, 200u) << paid.body;
  const auto audit = LastAudit("ada", "payment_intent_recorded", RunningSystem::Position(paid));
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.at("data").at("amount_cents").to_number<int>(), 12550);
  EXPECT_EQ(audit.at("data").at("intent_id").as_string(), paid.json().at("intent_id").as_string());

  const json::object pay{{"amount_cents", 100}, {"currency", "AUD"}, {"method", "card"}};
  EXPECT_EQ(Post(vic_, "/v1/portal/resources/pa-inv/payment-intents", pay).status, 403u);
  EXPECT_EQ(Post(gil_, "/v1/portal/resources/pa-inv/payment-intents", pay).status, 404u);
  EXPECT_EQ(Post(fay_, "/v1/portal/resources/pf-inv/payment-intents", pay).status, 403u);
  EXPECT_EQ(Post(ada_, "/v1/portal/resources/pa-inv/payment-intents",
                 {{"amount_cents", 100}, {"currency", "aud"}, {"method", "card"}})
                .status,
            400u);
  EXPECT_EQ(Post(ada_, "/v1/portal/resources/pa-inv/payment-intents",
                 {{"amount_cents", 0}, {"currency", "AUD"}, {"method", "card"}})
                .status,
            400u);
}

TEST_F(PortalActionsTest, OwnContactDetailsAreUpdated) {
  const auto updated = sys_->client().Put("/v1/portal/me", ada_,
                                          {{"display_name", "Ada L."}, {"email", "ada.l@example.com"},
                                           {"phone", "+61 2 5550 1234"},
                                           {"current_password", RunningSystem::PasswordOf("ada")}});
  ASSERT_EQ(updated.status, 200u) << updated.body;
  const auto me = sys_->client().Get("/v1/portal/me?min_position=" + std::to_string(RunningSystem::Position(updated)),
                                     ada_);
  ASSERT_EQ(me.status, 200u);
  EXPECT_EQ(me.json().at("user").at("display_name").as_string(), "Ada L.");
  EXPECT_EQ(me.json().at("user").at("email").as_string(), "ada.l@example.com");
  EXPECT_EQ(me.json().at("user").at("phone").as_string(), "+61 2 5550 1234") << me.body;
  const auto staff_view =
      sys_->Staff(verb::get, "/v1/users/ada?min_position=" + std::to_string(RunningSystem::Position(updated)));
  ASSERT_EQ(staff_view.status, 200u) << staff_view.body;
  EXPECT_EQ(staff_view.json().at("phone").as_string(), "+61 2 5550 1234") << staff_view.body;

  EXPECT_EQ(sys_->client().Put("/v1/portal/me", vic_, {{"display_name", "V"}, {"email", "v@example.com"}}).status,
            403u);
  EXPECT_EQ(sys_->client().Put("/v1/portal/me", fay_, {{"display_name", "F"}, {"email", "f@example.com"}}).status,
            403u);
  EXPECT_EQ(sys_->client().Put("/v1/portal/me", ada_, {{"display_name", "A"}, {"email", "nope"}}).status, 400u);

  // The same address (only the name and phone change) needs no password.
  const auto renamed = sys_->client().Put("/v1/portal/me", ada_,
                                          {{"display_name", "Ada Lovelace"}, {"email", "ada.l@example.com"}});
  EXPECT_EQ(renamed.status, 200u) << renamed.body;
}

// A new e-mail address is where password-reset links go: changing it takes the current
// password, so a stolen session cannot move the address and take the account over with a
// reset. Refused changes leave the address as it was.
TEST_F(PortalActionsTest, ChangingTheEmailAddressTakesTheCurrentPassword) {
  const auto missing = sys_->client().Put("/v1/portal/me", ada_,
                                          {{"display_name", "Ada"}, {"email", "thief@example.net"}});
  EXPECT_EQ(missing.status, 400u) << missing.body;
  EXPECT_EQ(missing.json().at("field").as_string(), "current_password") << missing.body;
  const auto wrong = sys_->client().Put("/v1/portal/me", ada_,
                                        {{"display_name", "Ada"}, {"email", "thief@example.net"},
                                         {"current_password", "a guess"}});
  EXPECT_EQ(wrong.status, 400u) << wrong.body;
  EXPECT_EQ(wrong.json().at("field").as_string(), "current_password") << wrong.body;

  const auto me = sys_->client().Get("/v1/portal/me?min_position=" + std::to_string(sys_->Head()), ada_);
  ASSERT_EQ(me.status, 200u) << me.body;
  EXPECT_NE(me.json().at("user").at("email").as_string(), "thief@example.net");
  const auto audit = sys_->Staff(verb::get, "/v1/audit?user_id=ada&type=login_failed&min_position=" +
                                                std::to_string(sys_->Head()));
  ASSERT_EQ(audit.status, 200u) << audit.body;
  EXPECT_FALSE(audit.json().at("events").as_array().empty()) << "the wrong guess is not a failed login";

  const auto changed = sys_->client().Put("/v1/portal/me", ada_,
                                          {{"display_name", "Ada"}, {"email", "ada@example.org"},
                                           {"current_password", RunningSystem::PasswordOf("ada")}});
  EXPECT_EQ(changed.status, 200u) << changed.body;
}

}  // namespace
}  // namespace portico::gateway
