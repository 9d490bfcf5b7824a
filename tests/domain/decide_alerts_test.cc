// Decide and Evolve for alerts and password reset (domain/alert_commands.h).
#include "domain/world.h"

namespace portico::domain {
namespace {

using testing::kMinute;
using testing::TokenHash;
using testing::World;

class AlertsDomainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    w.Org("acme");
    w.Org("ro", schema::OrgKind::Client, "", schema::AccessMode::Restricted);
    w.User("ann", "acme", "portal-advanced");
    w.User("bob", "acme", "client-base");
    w.User("rex", "ro", "portal-advanced");
  }
  static std::vector<AlertSubscriptionEntry> Subs(std::string kind) { return {{std::move(kind), true, false}}; }
  World w;
};

TEST_F(AlertsDomainTest, SubscribingNeedsTheCapabilityAndAWritableOrganisation) {
  w.Do(SetAlertSubscriptions{UserId("ann"), Subs("note_added")});
  EXPECT_TRUE(w.state().alerting.ChannelsFor("ann", "note_added").in_portal);
  EXPECT_FALSE(w.state().alerting.ChannelsFor("ann", "file_added").any());
  EXPECT_REJECTED(w.Try(SetAlertSubscriptions{UserId("bob"), Subs("note_added")}), kFailedPrecondition,
                  "may not subscribe");
  EXPECT_REJECTED(w.Try(SetAlertSubscriptions{UserId("rex"), Subs("note_added")}), kFailedPrecondition, "restricted");
  EXPECT_REJECTED(w.Try(SetAlertSubscriptions{UserId("ann"), Subs("coffee")}), kInvalidArgument, "unknown alert kind");
  EXPECT_REJECTED(w.Try(SetAlertSubscriptions{UserId("nobody"), Subs("note_added")}), kNotFound, "does not exist");
  // An empty list unsubscribes from everything.
  w.Do(SetAlertSubscriptions{UserId("ann"), {}});
  EXPECT_TRUE(w.state().alerting.Subscribers().empty());
}

TEST_F(AlertsDomainTest, AlertSetsAddToOwnSubscriptions) {
  w.Do(DefineAlertSet{"ops", "Operations", {{"file_added", false, true}}});
  EXPECT_REJECTED(w.Try(AssignAlertSets{UserId("bob"), {"nope"}}), kNotFound, "alert set 'nope'");
  w.Do(AssignAlertSets{UserId("bob"), {"ops", "ops"}});
  const auto channels = w.state().alerting.ChannelsFor("bob", "file_added");
  EXPECT_TRUE(channels.email);
  EXPECT_FALSE(channels.in_portal);
  // Redefining the set changes what its members get.
  w.Do(DefineAlertSet{"ops", "Operations", {{"file_added", true, false}}});
  EXPECT_TRUE(w.state().alerting.ChannelsFor("bob", "file_added").in_portal);
  EXPECT_REJECTED(w.Try(DefineAlertSet{"bad id!", "x", {}}), kInvalidArgument, "alert set id");
}

TEST_F(AlertsDomainTest, APassiveUserCannotBeGivenAlertSetsTheyWouldNeverReceive) {
  w.User("pat", "acme", "client-base", schema::UserType::Passive);
  w.Do(DefineAlertSet{"ops", "Operations", {{"file_added", true, true}}});
  EXPECT_REJECTED(w.Try(AssignAlertSets{UserId("pat"), {"ops"}}), kFailedPrecondition, "'pat' is passive");
  EXPECT_FALSE(w.state().alerting.ChannelsFor("pat", "file_added").any());
  // Clearing is no promise of delivery, so it stays allowed.
  w.Do(AssignAlertSets{UserId("pat"), {}});
}

TEST_F(AlertsDomainTest, ResetTokenIsSingleUseExpiresAndEndsSessions) {
  w.LogIn("ann");
  w.LogIn("ann");
  w.now += kMinute;
  w.Do(RequestPasswordReset{UserId("ann"), TokenHash(100), w.now + 15 * kMinute});
  const std::string new_hash = "$argon2id$v=19$m=65536,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA";
  // Wrong token, then policy, then success.
  EXPECT_REJECTED(w.Try(ConfirmPasswordReset{TokenHash(101), "a long new password", new_hash}), kFailedPrecondition,
                  "invalid or has expired");
  EXPECT_REJECTED(w.Try(ConfirmPasswordReset{TokenHash(100), "short", new_hash}), kFailedPrecondition, "shorter");
  const auto events = w.Do(ConfirmPasswordReset{TokenHash(100), "a long new password", new_hash});
  EXPECT_EQ(testing::CountOf(events, schema::EventBody::PasswordChanged), 1);
  EXPECT_EQ(testing::CountOf(events, schema::EventBody::SessionEnded), 2);
  EXPECT_TRUE(w.state().FindUser("ann")->sessions.empty());
  EXPECT_EQ(w.state().FindUser("ann")->password_hash, new_hash);
  // Spent.
  EXPECT_REJECTED(w.Try(ConfirmPasswordReset{TokenHash(100), "another new password", new_hash}), kFailedPrecondition,
                  "invalid or has expired");
}

TEST_F(AlertsDomainTest, ExpiredOrReplacedTokensAreRefused) {
  const std::string hash = "$argon2id$v=19$m=65536,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA";
  w.Do(RequestPasswordReset{UserId("ann"), TokenHash(1), w.now + 15 * kMinute});
  w.now += 15 * kMinute;
  EXPECT_REJECTED(w.Try(ConfirmPasswordReset{TokenHash(1), "a long new password", hash}), kFailedPrecondition,
                  "invalid or has expired");
  w.Do(RequestPasswordReset{UserId("ann"), TokenHash(2), w.now + 15 * kMinute});
  w.Do(RequestPasswordReset{UserId("ann"), TokenHash(3), w.now + 15 * kMinute});  // replaces token 2
  EXPECT_REJECTED(w.Try(ConfirmPasswordReset{TokenHash(2), "a long new password", hash}), kFailedPrecondition,
                  "invalid");
  // A password change by staff voids the outstanding token.
  w.now += kMinute;
  w.Do(SetPassword{UserId("ann"), NewPassword{"set by the staff", hash}, false, SessionId("")});
  EXPECT_REJECTED(w.Try(ConfirmPasswordReset{TokenHash(3), "a long new password", hash}), kFailedPrecondition,
                  "invalid");
  EXPECT_REJECTED(w.Try(RequestPasswordReset{UserId("ann"), TokenHash(4), w.now - 1}), kInvalidArgument, "future");
}

// What the gateway asks before hashing a new password: an expired token and one issued
// before the latest password change get exactly the unknown token's answer.
TEST_F(AlertsDomainTest, OnlyAUsableResetTokenHasAnOwner) {
  const std::string hash = "$argon2id$v=19$m=65536,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA";
  const Status unknown = UsableResetTokenOwner(w.state(), TokenHash(9), w.now).status();
  EXPECT_EQ(unknown.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(unknown.message(), "the reset token is invalid or has expired");

  w.Do(RequestPasswordReset{UserId("ann"), TokenHash(1), w.now + 15 * kMinute});
  auto owner = UsableResetTokenOwner(w.state(), TokenHash(1), w.now);
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  EXPECT_EQ((*owner)->id.value(), "ann");
  const Status expired = UsableResetTokenOwner(w.state(), TokenHash(1), w.now + 15 * kMinute).status();
  EXPECT_EQ(expired.ToString(), unknown.ToString());

  w.Do(RequestPasswordReset{UserId("bob"), TokenHash(2), w.now + 15 * kMinute});
  w.now += kMinute;
  w.Do(SetPassword{UserId("bob"), NewPassword{"set by the staff", hash}, false, SessionId("")});
  const Status superseded = UsableResetTokenOwner(w.state(), TokenHash(2), w.now).status();
  EXPECT_EQ(superseded.ToString(), unknown.ToString());
}

TEST_F(AlertsDomainTest, LoginDetailsNeedAnEmailAddress) {
  EXPECT_REJECTED(w.Try(SendLoginDetails{UserId("ann")}), kFailedPrecondition, "no e-mail address");
  CreateUser c;
  c.user_id = UserId("eve");
  c.org_id = OrgId("acme");
  c.username = "eve";
  c.display_name = "Eve";
  c.email = "eve@example.com";
  c.level = LevelId("portal-basic");
  w.Do(c);
  auto events = w.Do(SendLoginDetails{UserId("eve")});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].body.AsLoginDetailsSent()->email, "eve@example.com");
  EXPECT_REJECTED(w.Try(SendLoginDetails{UserId("ghost")}), kNotFound, "ghost");
}

}  // namespace
}  // namespace portico::domain
