// Decide for provider settings, organisations and levels: the events and every rejection.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "domain/presets.h"
#include "tests/domain/world.h"

namespace portico::domain {
namespace {

using schema::AccessMode;
using schema::EventBody;
using schema::OrgKind;
using schema::SessionEndReason;
using testing::CountOf;
using testing::World;

TEST(ChangeSettings, RecordsEverySetting) {
  World w;
  ChangeSettings c{false, schema::SelfRegistration::Approval, 6, 20, 8, 3, 30};
  auto events = w.Do(c);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].stream, "settings");
  const Settings& s = w.state().settings;
  EXPECT_FALSE(s.portal_enabled);
  EXPECT_EQ(s.self_registration, schema::SelfRegistration::Approval);
  EXPECT_EQ(s.password_min_length, 6);  // AroFlo's 6 (seed 000 l30) is allowed
  EXPECT_EQ(s.session_idle_minutes, 20u);
  EXPECT_EQ(s.session_absolute_hours, 8u);
  EXPECT_EQ(s.lockout_threshold, 3u);
  EXPECT_EQ(s.lockout_minutes, 30u);
}

TEST(ChangeSettings, Rejections) {
  World w;
  auto with = [](auto edit) {
    ChangeSettings c;
    edit(c);
    return c;
  };
  EXPECT_REJECTED(w.Try(with([](auto& c) { c.password_min_length = 5; })), kInvalidArgument,
                  "password_min_length must be between 6 and 128, got 5");
  EXPECT_REJECTED(w.Try(with([](auto& c) { c.password_min_length = 129; })), kInvalidArgument,
                  "password_min_length must be between 6 and 128, got 129");
  EXPECT_REJECTED(w.Try(with([](auto& c) { c.session_absolute_hours = 0; })), kInvalidArgument,
                  "session_absolute_hours must be between 1 and 720");
  EXPECT_REJECTED(w.Try(with([](auto& c) { c.session_idle_minutes = 0; })), kInvalidArgument,
                  "session_idle_minutes must be between 1 and 1440");
  EXPECT_REJECTED(w.Try(with([](auto& c) {
                    c.session_absolute_hours = 1;
                    c.session_idle_minutes = 61;
                  })),
                  kInvalidArgument, "session_idle_minutes (61) must not exceed the absolute timeout of 1 hours");
  EXPECT_REJECTED(w.Try(with([](auto& c) { c.lockout_threshold = 0; })), kInvalidArgument,
                  "lockout_threshold must be between 1 and 100");
  EXPECT_REJECTED(w.Try(with([](auto& c) { c.lockout_minutes = -1; })), kInvalidArgument,
                  "lockout_minutes must be between 1 and 1440");
  EXPECT_REJECTED(w.Try(with([](auto& c) { c.self_registration = static_cast<schema::SelfRegistration>(7); })),
                  kInvalidArgument, "self_registration");
  EXPECT_EQ(w.log.position(), 0u) << "a rejected command appends nothing";
}

TEST(ChangeSettings, PortalOffEndsEverySession) {
  World w;
  w.Org("a");
  w.Org("b");
  w.User("u1", "a", "client-base");
  w.User("u2", "b", "client-base");
  w.LogIn("u1");
  w.LogIn("u2");
  w.LogIn("u2");
  ChangeSettings off;
  off.portal_enabled = false;
  auto events = w.Do(off);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].body.type, EventBody::ProviderSettingsChanged);
  for (std::size_t i = 1; i < events.size(); ++i) {
    ASSERT_EQ(events[i].body.type, EventBody::SessionEnded);
    EXPECT_EQ(events[i].body.AsSessionEnded()->reason, SessionEndReason::PortalDisabled);
  }
  EXPECT_EQ(events[1].stream, "user:u1");
  EXPECT_TRUE(w.state().sessions.empty());
  // Changing other settings while off ends nothing more.
  EXPECT_EQ(w.Do(off).size(), 1u);
}

TEST(RegisterOrg, RecordsTheOrganisationDisabled) {
  World w;
  auto events = w.Do(RegisterOrg{OrgId("acme"), "Acme Pty Ltd", OrgKind::Client, OrgId("")});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].stream, "org:acme");
  const Org* org = w.state().FindOrg("acme");
  ASSERT_NE(org, nullptr);
  EXPECT_EQ(org->mode, AccessMode::Disabled);  // access is opt-in
  EXPECT_EQ(org->name, "Acme Pty Ltd");
}

TEST(RegisterOrg, Rejections) {
  World w;
  w.Org("acme");
  w.ContractorOrg("sparks");
  EXPECT_REJECTED(w.Try(RegisterOrg{OrgId(""), "x", OrgKind::Client, OrgId("")}), kInvalidArgument,
                  "organisation id is empty");
  EXPECT_REJECTED(w.Try(RegisterOrg{OrgId("a b"), "x", OrgKind::Client, OrgId("")}), kInvalidArgument,
                  "organisation id 'a b' may only contain letters, digits, '.', '_' and '-'");
  EXPECT_REJECTED(w.Try(RegisterOrg{OrgId(std::string(129, 'a')), "x", OrgKind::Client, OrgId("")}),
                  kInvalidArgument, "organisation id is longer than 128 characters");
  EXPECT_REJECTED(w.Try(RegisterOrg{OrgId("x"), "", OrgKind::Client, OrgId("")}), kInvalidArgument,
                  "organisation name is empty");
  EXPECT_REJECTED(w.Try(RegisterOrg{OrgId("x"), "bad\x01name", OrgKind::Client, OrgId("")}), kInvalidArgument,
                  "organisation name contains a control character");
  EXPECT_REJECTED(w.Try(RegisterOrg{OrgId("x"), "bad \xff", OrgKind::Client, OrgId("")}), kInvalidArgument,
                  "organisation name is not valid UTF-8");
  EXPECT_REJECTED(w.Try(RegisterOrg{OrgId("x"), "X", static_cast<OrgKind>(5), OrgId("")}), kInvalidArgument,
                  "organisation kind is not client or contractor");
  EXPECT_REJECTED(w.Try(RegisterOrg{OrgId("acme"), "Again", OrgKind::Client, OrgId("")}), kAlreadyExists,
                  "organisation 'acme' already exists");
  EXPECT_REJECTED(w.Try(RegisterOrg{OrgId("x"), "X", OrgKind::Client, OrgId("nope")}), kNotFound,
                  "organisation 'nope' does not exist");
  EXPECT_REJECTED(w.Try(RegisterOrg{OrgId("x"), "X", OrgKind::Client, OrgId("x")}), kFailedPrecondition,
                  "organisation 'x' cannot be its own parent");
  EXPECT_REJECTED(w.Try(RegisterOrg{OrgId("x"), "X", OrgKind::Client, OrgId("sparks")}), kFailedPrecondition,
                  "sub-organisation 'x' must be of the same kind as its parent 'sparks'");
}

TEST(RegisterOrg, TreeDepthIsBounded) {
  World w;
  w.Org("o1");
  for (int i = 2; i <= kMaxOrgDepth; ++i) {
    w.Org("o" + std::to_string(i), OrgKind::Client, "o" + std::to_string(i - 1));
  }
  EXPECT_REJECTED(w.Try(RegisterOrg{OrgId("deep"), "Deep", OrgKind::Client, OrgId("o32")}), kFailedPrecondition,
                  "would be deeper than 32 levels");
  EXPECT_TRUE(w.state().InTree("o32", "o1"));
  EXPECT_FALSE(w.state().InTree("o1", "o32"));
}

TEST(SetOrgAccess, Rejections) {
  World w;
  w.Org("acme");
  EXPECT_REJECTED(w.Try(SetOrgAccess{OrgId("nope"), AccessMode::Enabled}), kNotFound,
                  "organisation 'nope' does not exist");
  EXPECT_REJECTED(w.Try(SetOrgAccess{OrgId("acme"), static_cast<AccessMode>(9)}), kInvalidArgument,
                  "access mode is not enabled, restricted or disabled");
}

TEST(SetOrgAccess, DisablingEndsTheSessionsOfItsUsersAndItsSubOrganisations) {
  World w;
  w.Org("corp");
  w.Org("corp-east", OrgKind::Client, "corp");
  w.Org("other");
  w.User("a", "corp", "portal-manager");
  w.User("b", "corp-east", "portal-basic");
  w.User("c", "other", "portal-basic");
  const std::string sa = w.LogIn("a"), sb = w.LogIn("b"), sc = w.LogIn("c");
  // Restricting ends nothing: it is read-only access, not none.
  EXPECT_EQ(w.Do(SetOrgAccess{OrgId("corp"), AccessMode::Restricted}).size(), 1u);
  auto events = w.Do(SetOrgAccess{OrgId("corp"), AccessMode::Disabled});
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].stream, "org:corp");
  EXPECT_EQ(CountOf(events, EventBody::SessionEnded), 2);
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(events[i].body.AsSessionEnded()->reason, SessionEndReason::AccessDisabled);
  }
  EXPECT_EQ(events[1].body.AsSessionEnded()->session_id, sa);
  EXPECT_EQ(events[2].body.AsSessionEnded()->session_id, sb);
  EXPECT_EQ(w.state().FindSession(sa), nullptr);
  EXPECT_EQ(w.state().FindSession(sb), nullptr);
  EXPECT_NE(w.state().FindSession(sc), nullptr);
  // The sub-organisation is cut too, though its own mode is still enabled.
  EXPECT_EQ(w.Can("b", "profile.view").reason, Reason::kOrgAccessDisabled);
  EXPECT_THAT(w.Can("b", "profile.view").detail, ::testing::HasSubstr("'corp' has portal access disabled"));
}

TEST(SetAllowedLevels, NormalisesAndRejects) {
  World w;
  w.Org("acme");
  auto events = w.Do(SetAllowedLevels{OrgId("acme"), {LevelId("client-manager"), LevelId("client-base"),
                                                      LevelId("client-base")}});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].body.AsOrgAllowedLevelsSet()->levels, (std::vector<std::string>{"client-base", "client-manager"}));
  EXPECT_REJECTED(w.Try(SetAllowedLevels{OrgId("nope"), {}}), kNotFound, "organisation 'nope' does not exist");
  EXPECT_REJECTED(w.Try(SetAllowedLevels{OrgId("acme"), {LevelId("platinum")}}), kNotFound,
                  "level 'platinum' does not exist");
  EXPECT_REJECTED(w.Try(SetAllowedLevels{OrgId("acme"), {LevelId("bad level")}}), kInvalidArgument,
                  "level id 'bad level' may only contain");
  // An empty list lifts the restriction: any known level.
  w.Do(SetAllowedLevels{OrgId("acme"), {}});
  EXPECT_TRUE(w.state().FindOrg("acme")->allowed_levels.empty());
  w.User("u", "acme", "portal-manager");
}

TEST(DefineLevel, DefinesAndRedefinesCustomLevels) {
  World w;
  auto events = w.Do(DefineLevel{LevelId("viewer"), "Viewer", {{"quotes.view", ""}, {"tasks.view.current", "contact"},
                                                               {"tasks.view.current", "assigned"}}});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].stream, "level:viewer");
  const auto* defined = events[0].body.AsLevelDefined();
  ASSERT_EQ(defined->capabilities.size(), 3u);
  EXPECT_EQ(defined->capabilities[0]->scope, "org");  // the default written out
  const Level* level = w.state().FindLevel("viewer");
  ASSERT_NE(level, nullptr);
  EXPECT_FALSE(level->preset);
  EXPECT_EQ(level->capabilities.Scopes(Capability::kTasksViewCurrent), Bit(Scope::kContact) | Bit(Scope::kAssigned));
  w.Do(DefineLevel{LevelId("viewer"), "Viewer 2", {{"profile.view", ""}}});
  EXPECT_EQ(w.state().FindLevel("viewer")->name, "Viewer 2");
  EXPECT_FALSE(w.state().FindLevel("viewer")->capabilities.Has(Capability::kQuotesView));
}

TEST(DefineLevel, Rejections) {
  World w;
  for (const Level& preset : Presets()) {
    EXPECT_REJECTED(w.Try(DefineLevel{preset.id, "Mine", {}}), kFailedPrecondition,
                    "level '" + preset.id.value() + "' is a preset and cannot be redefined");
  }
  EXPECT_REJECTED(w.Try(DefineLevel{LevelId(""), "X", {}}), kInvalidArgument, "level id is empty");
  EXPECT_REJECTED(w.Try(DefineLevel{LevelId("x"), "", {}}), kInvalidArgument, "level name is empty");
  EXPECT_REJECTED(w.Try(DefineLevel{LevelId("x"), "X", {{"tasks.fly", ""}}}), kInvalidArgument,
                  "unknown capability 'tasks.fly'");
  EXPECT_REJECTED(w.Try(DefineLevel{LevelId("x"), "X", {{"invoices.pay", "contact"}}}), kInvalidArgument,
                  "scope 'contact' is not allowed for capability 'invoices.pay'");
  EXPECT_REJECTED(w.Try(DefineLevel{LevelId("x"), "X", {{"forms.compliance", ""}}}), kInvalidArgument,
                  "capability 'forms.compliance' needs a scope: one of own");
  EXPECT_REJECTED(w.Try(DefineLevel{LevelId("x"), "X", {{"quotes.view", ""}, {"quotes.view", "org"}}}),
                  kInvalidArgument, "capability 'quotes.view' with scope 'org' is listed twice");
  EXPECT_EQ(w.log.position(), 0u);
}

}  // namespace
}  // namespace portico::domain
