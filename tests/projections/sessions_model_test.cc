#include "projections/sessions_model.h"

#include <gtest/gtest.h>

#include "projections/feed.h"

namespace portico::projections {
namespace {

using domain::testing::TokenHash;
using testing::CatchUp;
using testing::FindEvent;
using testing::kMinute;
using testing::kT0;
using testing::World;

constexpr std::int64_t kHour = 60 * kMinute;

class SessionsModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_.Org("acme");
    world_.Org("acme-east", schema::OrgKind::Client, "acme");
    world_.User("alice", "acme", "portal-manager");
    world_.User("carol", "acme-east", "client-manager");
    CatchUp(model_, world_.log);
  }

  // Logs the user in and applies it; returns the session id. Tokens are TokenHash(1), (2)...
  std::string LogIn(const std::string& user) {
    const std::string session = world_.LogIn(user);
    CatchUp(model_, world_.log);
    return session;
  }
  SessionCheck Validate(int token, std::int64_t at) const {
    return sessions_.Validate(TokenHash(static_cast<std::uint8_t>(token)), at);
  }
  Position End() const { return world_.log.position() > 0 ? Position(world_.log.position()) : Position(0); }

  World world_;
  AccessModel model_;
  SessionsModel sessions_{model_, kT0};  // observing since before any login
};

TEST_F(SessionsModelTest, AcceptsAFreshSession) {
  const std::string s1 = LogIn("alice");
  const SessionCheck c = Validate(1, world_.now + kMinute);
  ASSERT_TRUE(c.valid()) << SessionVerdictName(c.verdict) << ": " << c.detail;
  EXPECT_EQ(c.session.session_id, s1);
  EXPECT_EQ(c.session.user_id, "alice");
  EXPECT_EQ(c.session.org_id, "acme");
  EXPECT_EQ(c.session.started_at_us, world_.now);
  EXPECT_EQ(c.session.idle_timeout_us, 30 * kMinute);
  EXPECT_EQ(c.session.absolute_expires_at_us, world_.now + 12 * kHour);
  EXPECT_EQ(Validate(99, world_.now).verdict, SessionVerdict::kUnknown);
  const auto listed = sessions_.UserSessions(domain::UserId("alice"), world_.now);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].session_id, s1);
}

TEST_F(SessionsModelTest, RejectsAfterSessionEnded) {
  const std::string s1 = LogIn("alice");
  world_.Do(domain::EndSession{domain::SessionId(s1), schema::SessionEndReason::Logout});
  CatchUp(model_, world_.log);
  EXPECT_EQ(Validate(1, world_.now).verdict, SessionVerdict::kUnknown);
  EXPECT_TRUE(sessions_.UserSessions(domain::UserId("alice"), world_.now).empty());
}

TEST_F(SessionsModelTest, MarkEndedRejectsBeforeTheEventArrives) {
  const std::string s1 = LogIn("alice");
  const std::string s2 = LogIn("alice");
  world_.Do(domain::EndSession{domain::SessionId(s1), schema::SessionEndReason::Logout});  // not applied yet
  sessions_.MarkEnded({domain::SessionId(s1)}, End());
  EXPECT_EQ(Validate(1, world_.now).verdict, SessionVerdict::kEnded);
  EXPECT_TRUE(Validate(2, world_.now).valid()) << "only the ended session";
  ASSERT_EQ(sessions_.UserSessions(domain::UserId("alice"), world_.now).size(), 1u);
  CatchUp(model_, world_.log);
  EXPECT_EQ(Validate(1, world_.now).verdict, SessionVerdict::kUnknown);
  EXPECT_EQ(model_.Read([](const AccessIndex& i) { return i.ended_here_size(); }), 0u) << "forgotten once applied";
  // A mark for a position already applied is not kept.
  sessions_.MarkEnded({domain::SessionId(s2)}, End());
  EXPECT_EQ(model_.Read([](const AccessIndex& i) { return i.ended_here_size(); }), 0u);
}

TEST_F(SessionsModelTest, MarkEndedHoldsWhileTheProjectionLagsBehindTheStartToo) {
  // This node's projection has applied neither the login nor its end: the mark must outlive
  // the session's start, and go only when the end is applied.
  const Position before = model_.applied();
  const std::string s1 = world_.LogIn("alice");
  world_.Do(domain::EndSession{domain::SessionId(s1), schema::SessionEndReason::Logout});
  sessions_.MarkEnded({domain::SessionId(s1)}, End());
  CatchUp(model_, world_.log, Position(before.value() + 1));  // SessionStarted only
  EXPECT_EQ(Validate(1, world_.now).verdict, SessionVerdict::kEnded);
  CatchUp(model_, world_.log);
  EXPECT_EQ(Validate(1, world_.now).verdict, SessionVerdict::kUnknown);
}

TEST_F(SessionsModelTest, IdleTimeoutCountsFromTheLastTouchOnThisNode) {
  const std::string s1 = LogIn("alice");
  const std::int64_t t0 = world_.now;
  EXPECT_TRUE(Validate(1, t0 + 29 * kMinute).valid());
  EXPECT_EQ(Validate(1, t0 + 30 * kMinute).verdict, SessionVerdict::kIdleExpired);
  sessions_.Touch(domain::SessionId(s1), t0 + 20 * kMinute);
  EXPECT_TRUE(Validate(1, t0 + 31 * kMinute).valid());
  EXPECT_EQ(Validate(1, t0 + 31 * kMinute).session.last_seen_us, t0 + 20 * kMinute);
  EXPECT_EQ(Validate(1, t0 + 50 * kMinute).verdict, SessionVerdict::kIdleExpired);
  sessions_.Touch(domain::SessionId(s1), t0 + 10 * kMinute);  // an earlier time does not win
  EXPECT_EQ(sessions_.LastSeen().at(s1), t0 + 20 * kMinute);
  EXPECT_EQ(sessions_.UserSessions(domain::UserId("alice"), t0 + 31 * kMinute)[0].last_seen_us, t0 + 20 * kMinute);
}

TEST_F(SessionsModelTest, AbsoluteExpiryHoldsHoweverRecentTheUse) {
  const std::string s1 = LogIn("alice");
  const std::int64_t t0 = world_.now;
  sessions_.Touch(domain::SessionId(s1), t0 + 12 * kHour - kMinute);
  EXPECT_TRUE(Validate(1, t0 + 12 * kHour - 1).valid());
  EXPECT_EQ(Validate(1, t0 + 12 * kHour).verdict, SessionVerdict::kAbsoluteExpired);
}

TEST_F(SessionsModelTest, RejectsOnceTheUserIsArchived) {
  LogIn("alice");
  const Position before = model_.applied();
  world_.Do(domain::ArchiveUser{domain::UserId("alice")});
  // UserArchived comes first, its sessions' ends after: between the two the user gate holds.
  CatchUp(model_, world_.log, FindEvent(world_.log, schema::EventBody::UserArchived, before));
  SessionCheck c = Validate(1, world_.now);
  EXPECT_EQ(c.verdict, SessionVerdict::kUserInactive);
  EXPECT_EQ(c.user_reason, domain::Reason::kUserArchived);
  CatchUp(model_, world_.log);
  EXPECT_EQ(Validate(1, world_.now).verdict, SessionVerdict::kUnknown);
}

TEST_F(SessionsModelTest, RejectsOnceTheOrganisationOrItsParentIsDisabled) {
  LogIn("carol");
  const Position before = model_.applied();
  world_.Do(domain::SetOrgAccess{domain::OrgId("acme"), schema::AccessMode::Disabled});
  CatchUp(model_, world_.log, FindEvent(world_.log, schema::EventBody::OrgAccessChanged, before));
  SessionCheck c = Validate(1, world_.now);
  EXPECT_EQ(c.verdict, SessionVerdict::kUserInactive);
  EXPECT_EQ(c.user_reason, domain::Reason::kOrgAccessDisabled);
  CatchUp(model_, world_.log);
  EXPECT_EQ(Validate(1, world_.now).verdict, SessionVerdict::kUnknown) << "disabling ends the sub-org's sessions";
}

TEST_F(SessionsModelTest, RejectsWhileTheUserIsLockedOutOrThePortalIsOff) {
  LogIn("alice");
  for (int i = 0; i < 5; ++i) {
    world_.Do(domain::Login{"alice", false, domain::SessionId("bad" + std::to_string(i)), TokenHash(200)});
  }
  CatchUp(model_, world_.log);
  SessionCheck c = Validate(1, world_.now);
  EXPECT_EQ(c.verdict, SessionVerdict::kUserInactive);
  EXPECT_EQ(c.user_reason, domain::Reason::kUserLockedOut);
  EXPECT_TRUE(Validate(1, world_.now + 16 * kMinute).valid()) << "the lockout lasts 15 minutes";

  const Position before = model_.applied();
  domain::ChangeSettings off;
  off.portal_enabled = false;
  world_.Do(off);
  CatchUp(model_, world_.log, FindEvent(world_.log, schema::EventBody::ProviderSettingsChanged, before));
  c = Validate(1, world_.now + 16 * kMinute);
  EXPECT_EQ(c.verdict, SessionVerdict::kUserInactive);
  EXPECT_EQ(c.user_reason, domain::Reason::kPortalDisabled);
}

TEST_F(SessionsModelTest, LastSeenForgetsEndedSessions) {
  const std::string s1 = LogIn("alice");
  const std::string s2 = LogIn("carol");
  sessions_.Touch(domain::SessionId(s1), world_.now + kMinute);
  sessions_.Touch(domain::SessionId(s2), world_.now + kMinute);
  EXPECT_EQ(sessions_.LastSeen().size(), 2u);
  world_.Do(domain::EndSession{domain::SessionId(s1), schema::SessionEndReason::EndedByStaff});
  CatchUp(model_, world_.log);
  const auto seen = sessions_.LastSeen();
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen.contains(s2));
  // What ExpireSessions needs: with it, the idle session expires by a logged event.
  world_.now += 40 * kMinute;
  auto events = world_.Do(domain::ExpireSessions{seen});
  EXPECT_EQ(events.size(), 1u);
}

// After a restart the last-seen times are gone: a session used a minute before the restart,
// but started long before it, must not count as idle since its start.
TEST_F(SessionsModelTest, ARestartGivesEverySessionAFreshIdlePeriod) {
  const std::string s1 = LogIn("alice");
  const std::int64_t started = world_.now;
  const std::int64_t restart = started + 2 * kHour;  // used all along on the old process
  SessionsModel restarted(model_, restart);
  world_.now = restart + kMinute;

  const SessionCheck c = restarted.Validate(TokenHash(1), world_.now);
  EXPECT_TRUE(c.valid()) << SessionVerdictName(c.verdict) << ": " << c.detail;
  EXPECT_EQ(restarted.UserSessions(domain::UserId("alice"), world_.now).size(), 1u);
  EXPECT_TRUE(world_.Do(restarted.ExpiryCommand()).empty()) << "the first sweep ends nothing";

  // One idle period after the restart with no use, it is idle on every count.
  world_.now = restart + 30 * kMinute;
  EXPECT_EQ(restarted.Validate(TokenHash(1), world_.now).verdict, SessionVerdict::kIdleExpired);
  EXPECT_TRUE(restarted.UserSessions(domain::UserId("alice"), world_.now).empty());
  const auto events = world_.Do(restarted.ExpiryCommand());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].body.AsSessionEnded()->session_id, s1);
  EXPECT_EQ(events[0].body.AsSessionEnded()->reason, schema::SessionEndReason::Expired);
}

TEST_F(SessionsModelTest, ARestartDoesNotPostponeTheAbsoluteExpiry) {
  LogIn("alice");
  const std::int64_t started = world_.now;
  SessionsModel restarted(model_, started + 12 * kHour - kMinute);
  EXPECT_TRUE(restarted.Validate(TokenHash(1), started + 12 * kHour - 1).valid());
  EXPECT_EQ(restarted.Validate(TokenHash(1), started + 12 * kHour).verdict, SessionVerdict::kAbsoluteExpired);
  world_.now = started + 12 * kHour;
  EXPECT_EQ(world_.Do(restarted.ExpiryCommand()).size(), 1u);
}

// Until the sweeper ends them (or forever, with sweeping off), expired sessions are refused,
// and the session lists must not show them as active either.
TEST_F(SessionsModelTest, SessionListsLeaveOutExpiredSessions) {
  const std::string idle = LogIn("alice");
  const std::string busy = LogIn("alice");
  const std::int64_t t0 = world_.now;
  sessions_.Touch(domain::SessionId(busy), t0 + 20 * kMinute);
  auto listed = sessions_.UserSessions(domain::UserId("alice"), t0 + 29 * kMinute);
  ASSERT_EQ(listed.size(), 2u);

  listed = sessions_.UserSessions(domain::UserId("alice"), t0 + 30 * kMinute);
  ASSERT_EQ(listed.size(), 1u) << "the idle one is gone";
  EXPECT_EQ(listed[0].session_id, busy);

  sessions_.Touch(domain::SessionId(busy), t0 + 12 * kHour - kMinute);
  EXPECT_EQ(sessions_.UserSessions(domain::UserId("alice"), t0 + 12 * kHour - 1).size(), 1u);
  EXPECT_TRUE(sessions_.UserSessions(domain::UserId("alice"), t0 + 12 * kHour).empty())
      << "past its absolute expiry however recent the use";
}

}  // namespace
}  // namespace portico::projections
