#include "projections/event_json.h"

#include <gtest/gtest.h>

#include <boost/json/src.hpp>  // header-only Boost.JSON, to check the output is JSON
#include <set>

#include "projections/audit_world.h"

namespace portico::projections {
namespace {

using schema::EventBody;

class EventJsonTest : public ::testing::Test {
 protected:
  void SetUp() override { world_.Build(); }
  testing::AuditWorld world_;
};

TEST_F(EventJsonTest, EveryBodyRendersAsAJsonObjectWithoutSecrets) {
  std::set<EventBody> seen;
  for (const std::string& bytes : world_.w.log.envelopes()) {
    const schema::Envelope* e = schema::GetEnvelope(bytes.data());
    const std::string json = RenderEventBody(*e);
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(json, ec);
    ASSERT_FALSE(ec) << json;
    ASSERT_TRUE(v.is_object()) << json;
    EXPECT_FALSE(v.as_object().empty()) << schemas::EventTypeName(e->body_type());
    EXPECT_EQ(json.find("argon2id"), std::string::npos) << json;
    EXPECT_EQ(json.find(domain::testing::kHash), std::string::npos) << json;
    EXPECT_EQ(json.find("token_hash"), std::string::npos) << json;
    seen.insert(e->body_type());
    switch (e->body_type()) {
      case EventBody::UserCreated:
      case EventBody::PasswordChanged:
        EXPECT_EQ(v.at("password_hash"), "redacted") << json;
        break;
      default: break;
    }
  }
  EXPECT_EQ(seen.size(), 20u);
}

TEST_F(EventJsonTest, FieldsUnderTheirSchemaNames) {
  std::map<EventBody, boost::json::value> first;
  for (const std::string& bytes : world_.w.log.envelopes()) {
    const schema::Envelope* e = schema::GetEnvelope(bytes.data());
    first.try_emplace(e->body_type(), boost::json::parse(RenderEventBody(*e)));
  }
  EXPECT_EQ(first[EventBody::OrgRegistered],
            boost::json::parse(R"({"org_id":"acme","name":"Org acme","kind":"client","parent_org_id":""})"));
  EXPECT_EQ(first[EventBody::OrgAccessChanged], boost::json::parse(R"({"org_id":"acme","mode":"enabled"})"));
  EXPECT_EQ(first[EventBody::LevelDefined],
            boost::json::parse(R"({"level_id":"viewer","name":"Viewer","capabilities":[
              {"capability":"quotes.view","scope":"org"},{"capability":"tasks.view.current","scope":"org_tree"}]})"));
  EXPECT_EQ(first[EventBody::OrgAllowedLevelsSet].at("levels").as_array().size(), 3u);
  const auto& user = first[EventBody::UserCreated];
  EXPECT_EQ(user.at("user_type"), "active");
  EXPECT_EQ(user.at("email"), "alice@example.com");
  EXPECT_EQ(first[EventBody::SessionEnded].at("reason"), "password_changed");
  EXPECT_EQ(first[EventBody::LoginFailed].at("reason"), "bad_password");
  EXPECT_EQ(first[EventBody::LoginFailed].at("consecutive_failures"), 1);
  const auto& note = first[EventBody::NoteShared];
  EXPECT_EQ(note.at("body"), "Staff note with \"quotes\"\nand a line") << "escaped and back";
  EXPECT_EQ(note.at("visibility"), "client");
  const auto& resource = first[EventBody::ResourceUpserted];
  EXPECT_EQ(resource.at("type"), "task");
  EXPECT_EQ(resource.at("status"), "current");
  EXPECT_EQ(first[EventBody::SessionStarted].at("idle_timeout_us"), 30 * testing::kMinute);
  EXPECT_EQ(first[EventBody::ProviderSettingsChanged].at("self_registration"), "off");
}

TEST(EventJson, InvalidUtf8BecomesReplacementCharacters) {
  schema::NoteSharedT note;
  note.note_id = "n";
  note.body = std::string("ok \xff\xfe bad \xc3\xa9 good \x01", 19);
  domain::DomainEvent event = domain::MakeEvent(domain::NoteStream("n"), std::move(note));
  const std::string bytes = domain::EncodeEvent(event, {});
  const std::string json = RenderEventBody(*schema::GetEnvelope(bytes.data()));
  boost::system::error_code ec;
  const auto v = boost::json::parse(json, ec);
  ASSERT_FALSE(ec) << json;
  EXPECT_EQ(v.at("body"), "ok \xef\xbf\xbd\xef\xbf\xbd bad \xc3\xa9 good \x01");
}

}  // namespace
}  // namespace portico::projections
