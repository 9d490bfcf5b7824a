// Evolve: folding stored envelopes, replay, and robustness to events it must ignore.
#include <gtest/gtest.h>


#include "domain/evolve.h"
#include "tests/domain/world.h"

namespace portico::domain {
namespace {

using schema::ResourceStatus;
using testing::kMinute;
using testing::World;

// Appends a hand-made event as a foreign writer could, bypassing Decide.
void AppendRaw(World& w, DomainEvent event) {
  std::vector<DomainEvent> events;
  events.push_back(std::move(event));
  ASSERT_TRUE(w.log.Append(events, w.now).ok());
}

void Populate(World& w) {
  w.Org("acme");
  w.Org("acme-west", schema::OrgKind::Client, "acme");
  w.ContractorOrg("sparks");
  w.User("mgr", "acme", "client-manager");
  w.User("cm", "sparks", "contractor-manager", schema::UserType::Contractor);
  w.Task("t", "acme", ResourceStatus::Current, "mgr", {"cm"}, "sparks");
  w.Note("n", "t", schema::NoteVisibility::Contractor);
  w.Do(GrantPermission{UserId("mgr"), "tasks.view.current", "org_tree", 0});
  w.Do(RevokePermission{UserId("mgr"), "quotes.view"});
  w.Do(DefineLevel{LevelId("lite"), "Lite", {{"profile.view", ""}}});
  w.Do(SetAllowedLevels{OrgId("acme"), {LevelId("lite"), LevelId("client-manager")}});
  w.LogIn("mgr");
  w.now += kMinute;
  w.LogIn("cm");
}

TEST(Evolve, ReplayGivesTheLiveState) {
  World w;
  Populate(w);
  auto replayed = w.log.Replay();
  ASSERT_TRUE(replayed.ok());
  EXPECT_TRUE(*replayed == w.state());
  EXPECT_EQ(replayed->position, w.log.position());
  // And differs once anything differs.
  AccessState changed = *replayed;
  changed.users.Find("mgr")->failed_logins = 1;
  EXPECT_FALSE(changed == w.state());
}

TEST(Evolve, AnOrganisationLeadsToItsParentInItsOwnState) {
  World w;
  w.Org("acme");
  w.Org("acme-west", schema::OrgKind::Client, "acme");
  w.Org("acme-west-2", schema::OrgKind::Client, "acme-west");
  const AccessState& s = w.state();
  EXPECT_EQ(s.Parent(*s.FindOrg("acme-west-2")), s.FindOrg("acme-west"));
  EXPECT_EQ(s.Parent(*s.FindOrg("acme-west")), s.FindOrg("acme"));
  EXPECT_EQ(s.Parent(*s.FindOrg("acme")), nullptr);
  EXPECT_TRUE(s.InTree("acme-west-2", "acme"));
  EXPECT_FALSE(s.InTree("acme", "acme-west"));
  // A copy's organisations lead to the copy's parents, not to the original's.
  const AccessState copy = s;
  EXPECT_EQ(copy.Parent(*copy.FindOrg("acme-west-2")), copy.FindOrg("acme-west"));
  EXPECT_NE(copy.FindOrg("acme-west"), s.FindOrg("acme-west"));
}

TEST(Evolve, UsesTheRecordedTime) {
  World w;
  w.Org("acme");
  w.now += 7;
  w.User("mgr", "acme", "client-manager");
  EXPECT_EQ(w.state().FindUser("mgr")->created_at_us, w.now);
  w.now += 5 * kMinute;
  const std::string s = w.LogIn("mgr");
  EXPECT_EQ(w.state().FindSession(s)->started_at_us, w.now);
}

TEST(Evolve, IgnoresEventsThatContradictTheState) {
  World w;
  Populate(w);
  const AccessState before = w.state();

  schema::UserCreatedT dup;  // same user name as mgr
  dup.user_id = "other";
  dup.org_id = "acme";
  dup.username = "mgr";
  AppendRaw(w, MakeEvent(UserStream("other"), dup));
  schema::OrgRegisteredT orphan;
  orphan.org_id = "orphan";
  orphan.parent_org_id = "nowhere";
  AppendRaw(w, MakeEvent(OrgStream("orphan"), orphan));
  schema::SessionEndedT ghost;
  ghost.session_id = "never-started";
  ghost.user_id = "mgr";
  AppendRaw(w, MakeEvent(UserStream("mgr"), ghost));
  schema::LevelDefinedT preset;
  preset.level_id = "client-base";
  AppendRaw(w, MakeEvent(LevelStream("client-base"), preset));
  schema::PermissionGrantedT unknown;
  unknown.user_id = "mgr";
  unknown.capability = "tasks.teleport";
  AppendRaw(w, MakeEvent(UserStream("mgr"), unknown));
  schema::UserArchivedT nobody;
  nobody.user_id = "nobody";
  AppendRaw(w, MakeEvent(UserStream("nobody"), nobody));

  AccessState expected = before;
  expected.position = w.log.position();
  EXPECT_TRUE(w.state() == expected);
  EXPECT_EQ(w.state().FindLevel("client-base")->seed.substr(0, 3), "000");
}

TEST(Evolve, RejectsCorruptBytesWithoutChangingTheState) {
  World w;
  Populate(w);
  std::string bytes = w.log.envelopes().back();
  bytes.resize(bytes.size() / 2);
  AccessState state = w.state();
  const Status st = EvolveBytes(state, bytes);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_TRUE(state == w.state());
  EXPECT_EQ(EvolveBytes(state, "").code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace portico::domain
