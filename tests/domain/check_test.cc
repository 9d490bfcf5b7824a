// The access check: its gates in order, capabilities (level, grants, revocations, expiry),
// resources and scopes, notes, and the reasons it gives.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/domain/world.h"

namespace portico::domain {
namespace {

using schema::AccessMode;
using schema::NoteVisibility;
using schema::OrgKind;
using schema::ResourceStatus;
using schema::ResourceType;
using ::testing::HasSubstr;
using testing::kMinute;
using testing::World;

class Checks : public ::testing::Test {
 protected:
  void SetUp() override {
    w.Org("acme");
    w.Org("acme-west", OrgKind::Client, "acme");
    w.Org("globex");
    w.ContractorOrg("sparks");
    w.User("mgr", "acme", "client-manager");
    w.User("base", "acme", "client-base");
    w.User("west", "acme-west", "client-manager");
    w.User("cm", "sparks", "contractor-manager", schema::UserType::Contractor);
    w.Task("t", "acme", ResourceStatus::Current, "base");
    w.Task("t-west", "acme-west", ResourceStatus::Current, "west");
    w.Task("t-globex", "globex", ResourceStatus::Current);
    w.Resource("quote", ResourceType::Quote, "acme");
  }
  World w;
};

TEST_F(Checks, UnknownThings) {
  EXPECT_EQ(w.Can("ghost", "tasks.create").reason, Reason::kUnknownUser);
  EXPECT_EQ(w.Can("mgr", "tasks.fly").reason, Reason::kUnknownCapability);
  EXPECT_EQ(w.Can("mgr", "tasks.view.current", "nope").reason, Reason::kUnknownResource);
  EXPECT_EQ(w.Can("mgr", "tasks.view.current", "nope").detail, "resource 'nope' does not exist");
}

TEST_F(Checks, GatesInOrderEachWithItsReason) {
  ASSERT_TRUE(w.Can("mgr", "quotes.view", "quote").allowed);
  w.now += kMinute;
  // Lockout.
  ChangeSettings strict;
  strict.lockout_threshold = 1;
  w.Do(strict);
  w.Do(Login{"mgr", false, SessionId("x"), testing::TokenHash(9)});
  EXPECT_EQ(w.Can("mgr", "quotes.view", "quote").reason, Reason::kUserLockedOut);
  w.now += 15 * kMinute;  // the default lockout is over
  EXPECT_TRUE(w.Can("mgr", "quotes.view", "quote").allowed);
  // Organisation disabled, and the parent's mode reaching its sub-organisation.
  w.Do(SetOrgAccess{OrgId("acme"), AccessMode::Disabled});
  EXPECT_EQ(w.Can("mgr", "quotes.view", "quote").reason, Reason::kOrgAccessDisabled);
  EXPECT_EQ(w.Can("west", "tasks.view.current", "t-west").detail,
            "organisation 'acme' has portal access disabled (parent of 'acme-west')");
  w.Do(SetOrgAccess{OrgId("acme"), AccessMode::Restricted});
  EXPECT_TRUE(w.Can("west", "tasks.view.current", "t-west").allowed);
  EXPECT_EQ(w.Can("west", "tasks.create").reason, Reason::kOrgRestricted);
  EXPECT_EQ(w.Can("west", "tasks.create").detail,
            "organisation 'acme' is restricted (read-only) and 'tasks.create' writes");
  w.Do(SetOrgAccess{OrgId("acme"), AccessMode::Enabled});
  // Login disabled; archived wins over it; the portal switch over everything.
  w.Do(SetLoginEnabled{UserId("mgr"), false});
  EXPECT_EQ(w.Can("mgr", "quotes.view", "quote").reason, Reason::kLoginDisabled);
  w.Do(ArchiveUser{UserId("mgr")});
  EXPECT_EQ(w.Can("mgr", "quotes.view", "quote").reason, Reason::kUserArchived);
  ChangeSettings off;
  off.portal_enabled = false;
  w.Do(off);
  EXPECT_EQ(w.Can("mgr", "quotes.view", "quote").reason, Reason::kPortalDisabled);
  EXPECT_EQ(w.Can("base", "profile.view").detail, "the portal is disabled for everyone");
}

TEST_F(Checks, PassiveUsersAreNeverAllowed) {
  w.User("pat", "acme", "client-manager", schema::UserType::Passive);
  const CheckResult r = w.Can("pat", "quotes.view", "quote");
  EXPECT_EQ(r.reason, Reason::kUserPassive);
  EXPECT_EQ(r.detail, "user 'pat' is passive and never logs in");
}

TEST_F(Checks, RevocationWinsOverTheLevelUntilALaterGrant) {
  w.Do(RevokePermission{UserId("mgr"), "tasks.view.current"});
  CheckResult r = w.Can("mgr", "tasks.view.current", "t");
  EXPECT_EQ(r.reason, Reason::kCapabilityRevoked);
  EXPECT_EQ(r.detail, "'tasks.view.current' is revoked for user 'mgr'");
  // Changing the level does not undo a revocation.
  w.Do(ChangeUserLevel{UserId("mgr"), LevelId("portal-manager")});
  EXPECT_EQ(w.Can("mgr", "tasks.view.current", "t").reason, Reason::kCapabilityRevoked);
  // A later grant gives back exactly what it grants: contact only, not the level's org_tree.
  w.Do(GrantPermission{UserId("mgr"), "tasks.view.current", "contact", 0});
  EXPECT_EQ(w.Can("mgr", "tasks.view.current", "t").reason, Reason::kOutOfScope);
  w.Task("t-mgr", "acme", ResourceStatus::Current, "mgr");
  r = w.Can("mgr", "tasks.view.current", "t-mgr");
  EXPECT_TRUE(r.allowed);
  EXPECT_EQ(r.scope, Scope::kContact);
}

TEST_F(Checks, RevocationDropsEarlierGrants) {
  w.Do(GrantPermission{UserId("base"), "quotes.view", "", 0});
  EXPECT_TRUE(w.Can("base", "quotes.view", "quote").allowed);
  w.Do(RevokePermission{UserId("base"), "quotes.view"});
  EXPECT_EQ(w.Can("base", "quotes.view", "quote").reason, Reason::kCapabilityRevoked);
}

TEST_F(Checks, GrantsExpire) {
  w.Do(GrantPermission{UserId("base"), "quotes.view", "org", w.now + 10 * kMinute});
  EXPECT_TRUE(w.Can("base", "quotes.view", "quote").allowed);
  w.now += 10 * kMinute;
  const CheckResult r = w.Can("base", "quotes.view", "quote");
  EXPECT_EQ(r.reason, Reason::kGrantExpired);
  EXPECT_THAT(r.detail, HasSubstr("the grant of 'quotes.view' to user 'base' expired"));
  // Re-granting the same capability and scope replaces the expiry.
  w.Do(GrantPermission{UserId("base"), "quotes.view", "org", 0});
  EXPECT_TRUE(w.Can("base", "quotes.view", "quote").allowed);
  EXPECT_EQ(w.state().FindUser("base")->grants.size(), 1u);
}

TEST_F(Checks, MissingCapabilityNamesTheLevel) {
  const CheckResult r = w.Can("base", "quotes.view", "quote");
  EXPECT_EQ(r.reason, Reason::kCapabilityMissing);
  EXPECT_EQ(r.detail, "level 'client-base' of user 'base' does not include 'quotes.view'");
}

TEST_F(Checks, CapabilitiesAndResources) {
  EXPECT_EQ(w.Can("mgr", "tasks.create", "t").reason, Reason::kNotAResourceCapability);
  EXPECT_EQ(w.Can("mgr", "quotes.view", "t").reason, Reason::kWrongResourceType);
  EXPECT_EQ(w.Can("mgr", "quotes.view", "t").detail, "'quotes.view' applies to quotes, not to task 't'");
  // Without a resource: may the user use the capability at all, and with what scope.
  const CheckResult r = w.Can("mgr", "tasks.view.current");
  EXPECT_TRUE(r.allowed);
  EXPECT_EQ(r.scope, Scope::kOrg);
}

TEST_F(Checks, OrgScopeStopsAtTheOrganisationAndOrgTreeReachesSubOrganisations) {
  EXPECT_EQ(w.Can("mgr", "tasks.view.current", "t-west").reason, Reason::kOutOfScope);
  EXPECT_THAT(w.Can("mgr", "tasks.view.current", "t-west").detail,
              HasSubstr("task 't-west' would have to belong to the user's organisation"));
  w.Do(GrantPermission{UserId("mgr"), "tasks.view.current", "org_tree", 0});
  EXPECT_EQ(w.Can("mgr", "tasks.view.current", "t-west").scope, Scope::kOrgTree);
  // Never upward, never sideways.
  w.Do(GrantPermission{UserId("west"), "tasks.view.current", "org_tree", 0});
  EXPECT_EQ(w.Can("west", "tasks.view.current", "t").reason, Reason::kUnrelatedResource);
  EXPECT_EQ(w.Can("mgr", "tasks.view.current", "t-globex").reason, Reason::kUnrelatedResource);
}

TEST_F(Checks, ClientUsersAreNotReachedThroughAssignment) {
  // A client user listed on another organisation's task still does not see it.
  w.Task("t-g2", "globex", ResourceStatus::Current, "", {"mgr"});
  w.Do(GrantPermission{UserId("mgr"), "tasks.view.current", "assigned", 0});
  EXPECT_EQ(w.Can("mgr", "tasks.view.current", "t-g2").reason, Reason::kUnrelatedResource);
}

TEST_F(Checks, ContractorsSeeOtherOrganisationsWorkAssignedToThem) {
  w.Task("job", "globex", ResourceStatus::Current, "", {}, "sparks");
  EXPECT_TRUE(w.Can("cm", "tasks.view.current", "job").allowed);
  // For a contractor, org scope means the business's own records and its assigned work.
  w.Do(DefineLevel{LevelId("sub-all"), "All work", {{"tasks.view.current", "org"}}});
  w.User("cx", "sparks", "sub-all", schema::UserType::Contractor);
  EXPECT_EQ(w.Can("cx", "tasks.view.current", "job").scope, Scope::kOrg);
  EXPECT_EQ(w.Can("cx", "tasks.view.current", "t").reason, Reason::kUnrelatedResource);
}

TEST_F(Checks, ActingNeedsSeeing) {
  w.Task("t-mgr", "acme", ResourceStatus::Current, "mgr");
  const CheckResult r = w.Can("base", "tasks.notes.add", "t-mgr");
  EXPECT_EQ(r.reason, Reason::kResourceNotVisible);
  EXPECT_THAT(r.detail, HasSubstr("'tasks.notes.add' on task 't-mgr' needs seeing it"));
  EXPECT_TRUE(w.Can("base", "tasks.notes.add", "t").allowed);
}

TEST_F(Checks, ResourceStatusChangesWhichViewCapabilityApplies) {
  w.Do(RevokePermission{UserId("mgr"), "tasks.view.completed"});
  EXPECT_TRUE(CanSeeResource(w.state(), *w.state().FindUser("mgr"), *w.state().FindResource("t"), w.now).allowed);
  w.Task("t", "acme", ResourceStatus::Completed, "base");
  EXPECT_EQ(CanSeeResource(w.state(), *w.state().FindUser("mgr"), *w.state().FindResource("t"), w.now).reason,
            Reason::kCapabilityRevoked);
}

TEST_F(Checks, NotesAuthoredByPortalUsersAreVisibleToTheirOrganisation) {
  w.Do(ShareNote{NoteId("mine"), ResourceId("t"), "from the client", NoteVisibility::Contractor, UserId("base")});
  EXPECT_TRUE(w.SeesNote("mgr", "mine").allowed);
  // ... but staff can still hide anything by making it internal.
  w.Do(ChangeNoteVisibility{NoteId("mine"), NoteVisibility::Internal});
  EXPECT_EQ(w.SeesNote("base", "mine").reason, Reason::kNoteInternal);
}

TEST_F(Checks, EffectiveCapabilities) {
  w.Do(GrantPermission{UserId("base"), "quotes.view", "", 0});
  w.Do(GrantPermission{UserId("base"), "invoices.view", "", w.now + kMinute});
  w.Do(RevokePermission{UserId("base"), "tasks.create"});
  const CapabilitySet caps = EffectiveCapabilities(w.state(), *w.state().FindUser("base"), w.now);
  EXPECT_FALSE(caps.Has(Capability::kTasksCreate));
  EXPECT_EQ(caps.Scopes(Capability::kQuotesView), Bit(Scope::kOrg));
  EXPECT_TRUE(caps.Has(Capability::kInvoicesView));
  EXPECT_EQ(caps.Scopes(Capability::kTasksViewCurrent), Bit(Scope::kContact));
  const CapabilitySet later = EffectiveCapabilities(w.state(), *w.state().FindUser("base"), w.now + kMinute);
  EXPECT_FALSE(later.Has(Capability::kInvoicesView));
  EXPECT_EQ(caps.Entries().size(), later.Entries().size() + 1);
}

TEST(CheckReasons, EveryReasonHasAStableName) {
  EXPECT_EQ(ReasonName(Reason::kAllowed), "allowed");
  EXPECT_EQ(ReasonName(Reason::kOrgRestricted), "org_restricted");
  EXPECT_EQ(ReasonName(Reason::kNoteNotShared), "note_not_shared");
}

}  // namespace
}  // namespace portico::domain
