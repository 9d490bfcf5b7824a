// The state digest covers all of AccessState, the workflows' and alerting's parts included:
// a change to any of them changes the digest, and the iteration order of a hash map does not.
#include "projections/state_digest.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "domain/world.h"

namespace portico::projections {
namespace {

using domain::testing::TokenHash;
using domain::testing::World;

// Puts something in every part of the workflows and alerting state.
void FillWorkflowsAndAlerting(World& w) {
  w.Org("acme");
  w.User("alice", "acme", "portal-advanced");
  w.User("bob", "acme", "client-base");
  domain::ChangeSettings approval;
  approval.self_registration = schema::SelfRegistration::Approval;
  w.Do(approval);
  w.Do(domain::SetRegistrationCode{domain::OrgId("acme"), std::string(64, 'a'), domain::LevelId("client-base")});
  w.Do(domain::RequestRegistration{std::string(64, 'a'), domain::UserId("pat"), "pat@example.com", "Pat",
                                   "pat@example.com", "correct horse battery", domain::testing::kHash});
  domain::ImportUsers import;
  import.import_id = "imp1";
  import.org_id = domain::OrgId("acme");
  import.rows_total = 1;
  domain::ImportRowInput row;
  row.row = 1;
  row.user_id = domain::UserId("imported");
  row.username = "imported@example.com";
  row.display_name = "Imported";
  row.email = "imported@example.com";
  row.level = "client-base";
  import.rows = {row};
  w.Do(import);
  w.Do(domain::DefineAlertSet{"set1", "Notes", {{"note_added", true, false}}});
  w.Do(domain::AssignAlertSets{domain::UserId("bob"), {"set1"}});
  w.Do(domain::SetAlertSubscriptions{domain::UserId("alice"), {{"resource_added", true, true}}});
  w.Do(domain::RequestPasswordReset{domain::UserId("bob"), TokenHash(7), w.now + 15 * domain::testing::kMinute});
}

TEST(StateDigestTest, EveryWorkflowAndAlertingChangeChangesTheDigest) {
  World w;
  FillWorkflowsAndAlerting(w);
  const domain::AccessState& base = w.state();
  const schemas::Hash digest = DigestAccessState(base);
  ASSERT_NE(base.workflows.FindRegistration("pat"), nullptr);
  ASSERT_NE(base.workflows.FindImport("imp1"), nullptr);
  ASSERT_EQ(base.alerting.resets.size(), 1u);

  using Change = std::function<void(domain::AccessState&)>;
  const std::vector<std::pair<std::string, Change>> changes = {
      {"registration code level", [](auto& s) { s.workflows.codes_by_org.at("acme").level = domain::LevelId("x"); }},
      {"code hash index", [](auto& s) { s.workflows.org_by_code_hash.clear(); }},
      {"registration status",
       [](auto& s) { s.workflows.registrations.at("pat").status = domain::RegistrationStatus::kRejected; }},
      {"registration email", [](auto& s) { s.workflows.registrations.at("pat").email = "other@example.com"; }},
      {"pending user name", [](auto& s) { s.workflows.pending_by_username.clear(); }},
      {"import summary", [](auto& s) { s.workflows.imports.at(0).created = 0; }},
      {"import index", [](auto& s) { s.workflows.import_index.at("imp1") = 1; }},
      {"alert set", [](auto& s) { s.alerting.alert_sets.at("set1").subscriptions.at(0).email = true; }},
      {"alert set name", [](auto& s) { s.alerting.alert_sets.at("set1").name = "Other"; }},
      {"subscription", [](auto& s) { s.alerting.subscriptions.at("alice").at(0).in_portal = false; }},
      {"assigned sets", [](auto& s) { s.alerting.assigned_sets.at("bob").clear(); }},
      {"reset expiry", [](auto& s) { s.alerting.resets.at("bob").expires_at_us += 1; }},
      {"reset token index", [](auto& s) { s.alerting.reset_by_token.clear(); }},
  };
  for (const auto& [name, change] : changes) {
    domain::AccessState changed = base;
    change(changed);
    EXPECT_NE(DigestAccessState(changed), digest) << name;
  }
}

TEST(StateDigestTest, HashMapOrderDoesNotChangeTheDigest) {
  World w;
  FillWorkflowsAndAlerting(w);
  domain::AccessState rehashed = w.state();
  rehashed.workflows.registrations.rehash(1024);
  rehashed.workflows.codes_by_org.rehash(1024);
  rehashed.alerting.subscriptions.rehash(1024);
  rehashed.alerting.alert_sets.rehash(1024);
  rehashed.alerting.resets.rehash(1024);
  EXPECT_EQ(DigestAccessState(rehashed), DigestAccessState(w.state()));
}

}  // namespace
}  // namespace portico::projections
