// Events as the auditors' exports show them (replay/event_json.h), against the JSON of
// GET /v1/audit (projections/event_json.h): both walk the same fields (event_fields.h).
#include "replay/event_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "projections/audit_world.h"
#include "projections/event_json.h"

namespace portico::replay {
namespace {

using schema::EventBody;

class ReplayEventJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_.Build();
    world_.AddWorkflowEvents();
  }
  // The first event of each body type, as BodyJson shows it.
  std::map<EventBody, boost::json::object> FirstOfEachType() {
    std::map<EventBody, boost::json::object> out;
    for (const std::string& bytes : world_.w.log.envelopes()) {
      const schema::Envelope* e = schema::GetEnvelope(bytes.data());
      out.try_emplace(e->body_type(), BodyJson(*e));
    }
    return out;
  }
  projections::testing::AuditWorld world_;
};

TEST_F(ReplayEventJsonTest, NoSecretIsExported) {
  std::set<EventBody> seen;
  for (const std::string& bytes : world_.w.log.envelopes()) {
    const schema::Envelope* e = schema::GetEnvelope(bytes.data());
    const std::string json = boost::json::serialize(EventJson(*e));
    EXPECT_EQ(json.find(domain::testing::kHash), std::string::npos) << json;
    EXPECT_EQ(json.find("argon2id"), std::string::npos) << json;
    EXPECT_EQ(json.find("token_hash"), std::string::npos) << json;
    EXPECT_EQ(json.find("c0de"), std::string::npos) << "a registration code's hash: " << json;
    seen.insert(e->body_type());
  }
  EXPECT_EQ(seen.size(), 36u) << "the world holds every body type";
  auto first = FirstOfEachType();
  EXPECT_EQ(first[EventBody::UserCreated].at("password_set"), true);
  EXPECT_EQ(first[EventBody::UserCreated].count("password_hash"), 0u);
  EXPECT_EQ(first[EventBody::RegistrationCodeSet].at("code_set"), true);
}

// The export carries what the audit view summarises (an import's rows) and gives every moment
// as RFC 3339 next to its microseconds.
TEST_F(ReplayEventJsonTest, ImportRowsInFullAndMomentsAsText) {
  auto first = FirstOfEachType();
  EXPECT_EQ(first[EventBody::ImportRowsRecorded],
            boost::json::parse(R"({"import_id":"i1","accepted":[{"row":1,"user_id":"ivy"}],"rejected":[]})"));
  const auto& reset = first[EventBody::PasswordResetRequested];
  ASSERT_TRUE(reset.contains("expires_at")) << reset;
  EXPECT_EQ(reset.at("expires_at").as_string(), "2023-11-15T00:05:20.000000Z");
  const auto& session = first[EventBody::SessionStarted];
  EXPECT_TRUE(session.contains("absolute_expires_at")) << session;
  EXPECT_FALSE(session.contains("idle_timeout")) << "a duration is no moment";
}

// Both views name the same fields; they differ only where documented: the password's
// "password_set" against "password_hash", the moments' text twins, and the import's rows.
TEST_F(ReplayEventJsonTest, TheAuditViewAndTheExportNameTheSameFields) {
  for (const std::string& bytes : world_.w.log.envelopes()) {
    const schema::Envelope* e = schema::GetEnvelope(bytes.data());
    if (e->body_type() == EventBody::ImportRowsRecorded) continue;
    const boost::json::object exported = BodyJson(*e);
    const boost::json::object audit = boost::json::parse(projections::RenderEventBody(*e)).as_object();
    for (const auto& [key, value] : audit) {
      if (key == "password_hash") {
        EXPECT_EQ(exported.at("password_set").as_bool(), !value.as_string().empty()) << exported;
        continue;
      }
      ASSERT_TRUE(exported.contains(key)) << key << " missing from " << exported;
      EXPECT_EQ(exported.at(key), value) << key;
    }
    for (const auto& [key, value] : exported) {
      if (key == "password_set") continue;
      const std::string micros = std::string(key) + "_us";
      EXPECT_TRUE(audit.contains(key) || audit.contains(micros)) << key << " missing from " << audit;
    }
  }
}

}  // namespace
}  // namespace portico::replay
