// Decide for sessions: login, failures and lockout, "log in as client", ending and expiring.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/domain/world.h"

namespace portico::domain {
namespace {

using schema::AccessMode;
using schema::EventBody;
using schema::LoginFailureReason;
using schema::SessionEndReason;
using testing::kMinute;
using testing::TokenHash;
using testing::World;

class Sessions : public ::testing::Test {
 protected:
  void SetUp() override {
    w.Org("acme");
    w.User("bob", "acme", "client-base");
    ChangeSettings s;
    s.lockout_threshold = 3;
    s.lockout_minutes = 15;
    s.session_idle_minutes = 30;
    s.session_absolute_hours = 12;
    w.Do(s);
  }
  std::vector<DomainEvent> Attempt(const std::string& username, bool verified) {
    ++n_;
    return w.Do(w.LoginNow(username, verified, "s" + std::to_string(n_), TokenHash(static_cast<std::uint8_t>(100 + n_))));
  }
  static LoginFailureReason FailureOf(const std::vector<DomainEvent>& events) {
    EXPECT_FALSE(events.empty());
    if (events.empty() || events[0].body.type != EventBody::LoginFailed) {
      ADD_FAILURE() << "expected LoginFailed";
      return LoginFailureReason::BadPassword;
    }
    return events[0].body.AsLoginFailed()->reason;
  }
  World w;
  int n_ = 0;
};

TEST_F(Sessions, SuccessfulLoginStartsASessionWithTheSettingsTimeouts) {
  auto events = Attempt("  BOB ", true);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_EQ(events[0].body.type, EventBody::SessionStarted);
  EXPECT_EQ(events[0].stream, "user:bob");
  const auto* started = events[0].body.AsSessionStarted();
  EXPECT_EQ(started->user_id, "bob");
  EXPECT_EQ(started->idle_timeout_us, 30 * kMinute);
  EXPECT_EQ(started->absolute_expires_at_us, w.now + 12 * 60 * kMinute);
  EXPECT_TRUE(started->impersonated_by.empty());
  const Session* s = w.state().FindSession("s1");
  ASSERT_NE(s, nullptr);
  const auto token = TokenHash(101);
  EXPECT_EQ(w.state().FindSessionByToken(std::string_view(reinterpret_cast<const char*>(token.data()), 32)), s);
}

TEST_F(Sessions, FailuresCountTowardLockoutAndSuccessResetsTheCount) {
  EXPECT_EQ(FailureOf(Attempt("bob", false)), LoginFailureReason::BadPassword);
  EXPECT_EQ(FailureOf(Attempt("bob", false)), LoginFailureReason::BadPassword);
  EXPECT_EQ(w.state().FindUser("bob")->failed_logins, 2u);
  Attempt("bob", true);
  EXPECT_EQ(w.state().FindUser("bob")->failed_logins, 0u);

  Attempt("bob", false);
  Attempt("bob", false);
  auto third = Attempt("bob", false);
  ASSERT_EQ(third.size(), 2u);
  EXPECT_EQ(third[0].body.AsLoginFailed()->consecutive_failures, 3u);
  ASSERT_EQ(third[1].body.type, EventBody::UserLockedOut);
  EXPECT_EQ(third[1].body.AsUserLockedOut()->until_us, w.now + 15 * kMinute);
  // Locked: even the right password is refused, and nothing may be done meanwhile.
  EXPECT_EQ(FailureOf(Attempt("bob", true)), LoginFailureReason::LockedOut);
  EXPECT_EQ(w.Can("bob", "tasks.create").reason, Reason::kUserLockedOut);
  // After the lockout the user may log in again.
  w.now += 15 * kMinute;
  EXPECT_TRUE(w.Can("bob", "tasks.create").allowed);
  EXPECT_EQ(Attempt("bob", true)[0].body.type, EventBody::SessionStarted);
}

TEST_F(Sessions, RefusedLoginsSayWhy) {
  w.User("pat", "acme", "client-base", schema::UserType::Passive);
  EXPECT_EQ(FailureOf(Attempt("pat", true)), LoginFailureReason::UserInactive);

  w.Do(SetOrgAccess{OrgId("acme"), AccessMode::Restricted});
  EXPECT_EQ(Attempt("bob", true)[0].body.type, EventBody::SessionStarted);  // read-only, still in
  w.Do(SetOrgAccess{OrgId("acme"), AccessMode::Disabled});
  EXPECT_EQ(FailureOf(Attempt("bob", true)), LoginFailureReason::AccessDisabled);
  w.Do(SetOrgAccess{OrgId("acme"), AccessMode::Enabled});

  w.Do(SetLoginEnabled{UserId("bob"), false});
  EXPECT_EQ(FailureOf(Attempt("bob", true)), LoginFailureReason::LoginDisabled);
  w.Do(SetLoginEnabled{UserId("bob"), true});

  ChangeSettings off;
  off.portal_enabled = false;
  w.Do(off);
  EXPECT_EQ(FailureOf(Attempt("bob", true)), LoginFailureReason::PortalDisabled);
  w.Do(ChangeSettings{});

  w.Do(ArchiveUser{UserId("bob")});
  EXPECT_EQ(FailureOf(Attempt("bob", true)), LoginFailureReason::UserInactive);
  // None of these counted toward a lockout.
  EXPECT_EQ(w.state().FindUser("bob")->failed_logins, 0u);
}

TEST_F(Sessions, AUserWithoutPasswordCannotLogIn) {
  CreateUser c;
  c.user_id = UserId("nopw");
  c.org_id = OrgId("acme");
  c.username = "nopw";
  c.level = LevelId("client-base");
  w.Do(c);
  EXPECT_EQ(FailureOf(Attempt("nopw", true)), LoginFailureReason::BadPassword);
}

// The gateway checks the password against the hash it read, slowly, outside the command
// lock. A password change landing meanwhile must win: the old password opens no session.
TEST_F(Sessions, APasswordCheckedAgainstAReplacedHashIsABadPassword) {
  const Login stale = w.LoginNow("bob", true, "stale", TokenHash(60));  // checked before the change
  ASSERT_EQ(stale.checked_hash, testing::kHash);
  w.Do(SetPassword{UserId("bob"), NewPassword{"a brand new password", testing::kHash + "2"}, false, SessionId()});
  auto events = w.Do(stale);
  EXPECT_EQ(FailureOf(events), LoginFailureReason::BadPassword);
  EXPECT_EQ(w.state().FindSession("stale"), nullptr);
  EXPECT_EQ(w.state().FindUser("bob")->failed_logins, 1u);
  // Checked against the current hash, the same attempt succeeds.
  EXPECT_EQ(w.Do(w.LoginNow("bob", true, "fresh", TokenHash(61)))[0].body.type, EventBody::SessionStarted);
}

TEST_F(Sessions, APasswordCheckedForAnotherUserOrNoneIsABadPassword) {
  w.User("carl", "acme", "client-base");
  Login other = w.LoginNow("carl", true, "other", TokenHash(62));
  other.username = "bob";  // the name now names someone else than the user checked
  EXPECT_EQ(FailureOf(w.Do(other)), LoginFailureReason::BadPassword);
  Login nobody = w.LoginNow("bob", true, "nobody", TokenHash(63));
  nobody.user_id = UserId("");
  nobody.checked_hash.clear();
  EXPECT_EQ(FailureOf(w.Do(nobody)), LoginFailureReason::BadPassword);
  EXPECT_TRUE(w.state().sessions.empty());
}

// An unknown user name is recorded like a wrong password (the same durable append), on a
// stream of its own, with the canonical user name tried.
TEST_F(Sessions, AnUnknownUserNameIsRecorded) {
  auto events = Attempt("  NoBody@Example.com ", true);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].stream, "login-failures");
  EXPECT_EQ(FailureOf(events), LoginFailureReason::UnknownUser);
  const auto* failed = events[0].body.AsLoginFailed();
  EXPECT_EQ(failed->user_id, "");
  EXPECT_EQ(failed->username, "nobody@example.com");
  EXPECT_EQ(failed->consecutive_failures, 0u);
  auto bad = Attempt("bad name", true);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(FailureOf(bad), LoginFailureReason::UnknownUser);
  EXPECT_EQ(bad[0].body.AsLoginFailed()->username, "") << "not a user name: not recorded";
  EXPECT_TRUE(w.state().sessions.empty());
  EXPECT_EQ(w.state().FindUser("bob")->failed_logins, 0u);
}

TEST_F(Sessions, LoginRejections) {
  EXPECT_REJECTED(w.Try(Login{"bob", true, SessionId(""), TokenHash(1)}), kInvalidArgument, "session id is empty");
  EXPECT_REJECTED(w.Try(Login{"bob", true, SessionId("x1"), schemas::Hash{}}), kInvalidArgument,
                  "session token hash is all zeros");
  const std::string s = w.LogIn("bob");
  EXPECT_REJECTED(w.Try(Login{"bob", true, SessionId(s), TokenHash(77)}), kAlreadyExists,
                  "session '" + s + "' already exists");
  EXPECT_REJECTED(w.Try(Login{"bob", true, SessionId("fresh"), TokenHash(1)}), kAlreadyExists,
                  "session token hash is already in use");
}

TEST_F(Sessions, LogInAsClientRecordsTheStaffMember) {
  // 002 l34 "Login as Client".
  auto events = w.Do(LoginAsUser{UserId("bob"), "alice@provider", SessionId("imp"), TokenHash(50)});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].body.AsSessionStarted()->impersonated_by, "alice@provider");
  EXPECT_EQ(w.state().FindSession("imp")->impersonated_by, "alice@provider");
}

TEST_F(Sessions, LogInAsClientRejections) {
  EXPECT_REJECTED(w.Try(LoginAsUser{UserId("nobody"), "alice", SessionId("i1"), TokenHash(1)}), kNotFound,
                  "user 'nobody' does not exist");
  EXPECT_REJECTED(w.Try(LoginAsUser{UserId("bob"), "", SessionId("i1"), TokenHash(1)}), kInvalidArgument,
                  "staff name is empty");
  w.Do(SetOrgAccess{OrgId("acme"), AccessMode::Disabled});
  EXPECT_REJECTED(w.Try(LoginAsUser{UserId("bob"), "alice", SessionId("i1"), TokenHash(1)}), kFailedPrecondition,
                  "cannot log in as user 'bob': organisation 'acme' has portal access disabled");
  w.Do(ArchiveUser{UserId("bob")});
  EXPECT_REJECTED(w.Try(LoginAsUser{UserId("bob"), "alice", SessionId("i1"), TokenHash(1)}), kFailedPrecondition,
                  "user 'bob' is archived");
}

TEST_F(Sessions, EndOneOrAll) {
  const std::string a = w.LogIn("bob"), b = w.LogIn("bob"), c = w.LogIn("bob");
  auto events = w.Do(EndSession{SessionId(a), SessionEndReason::Logout});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].body.AsSessionEnded()->reason, SessionEndReason::Logout);
  EXPECT_EQ(w.state().FindSession(a), nullptr);
  // 000 l81-94: a manager ends a user's sessions; they end at once.
  events = w.Do(EndUserSessions{UserId("bob"), SessionEndReason::EndedByStaff});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].body.AsSessionEnded()->session_id, b);
  EXPECT_EQ(events[1].body.AsSessionEnded()->session_id, c);
  EXPECT_TRUE(w.state().sessions.empty());
  EXPECT_TRUE(w.state().session_by_token.empty());
  EXPECT_TRUE(w.Do(EndUserSessions{UserId("bob"), SessionEndReason::EndedByStaff}).empty());
}

TEST_F(Sessions, EndRejections) {
  EXPECT_REJECTED(w.Try(EndSession{SessionId("gone"), SessionEndReason::Logout}), kNotFound,
                  "session 'gone' is not active");
  EXPECT_REJECTED(w.Try(EndSession{SessionId(""), SessionEndReason::Logout}), kInvalidArgument,
                  "session id is empty");
  const std::string s = w.LogIn("bob");
  EXPECT_REJECTED(w.Try(EndSession{SessionId(s), static_cast<SessionEndReason>(42)}), kInvalidArgument,
                  "unknown session end reason");
  EXPECT_REJECTED(w.Try(EndUserSessions{UserId("nobody"), SessionEndReason::EndedByStaff}), kNotFound,
                  "user 'nobody' does not exist");
  EXPECT_REJECTED(w.Try(EndUserSessions{UserId("bob"), static_cast<SessionEndReason>(42)}), kInvalidArgument,
                  "unknown session end reason");
}

TEST_F(Sessions, ExpireByIdleAndAbsoluteTimeouts) {
  const std::string idle = w.LogIn("bob");
  const std::string busy = w.LogIn("bob");
  const std::int64_t start = w.now;
  w.now = start + 29 * kMinute;
  EXPECT_TRUE(w.Do(ExpireSessions{}).empty());
  w.now = start + 30 * kMinute;
  // `busy` was seen 10 minutes ago; `idle` never since it started.
  auto events = w.Do(ExpireSessions{{{busy, start + 20 * kMinute}}});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].body.AsSessionEnded()->session_id, idle);
  EXPECT_EQ(events[0].body.AsSessionEnded()->reason, SessionEndReason::Expired);
  // However busy, a session ends at its absolute expiry.
  w.now = start + 12 * 60 * kMinute;
  events = w.Do(ExpireSessions{{{busy, w.now - 1}}});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].body.AsSessionEnded()->session_id, busy);
}

TEST_F(Sessions, NoSessionCountsAsLastSeenBeforeTheCallerStartedObserving) {
  const std::string old = w.LogIn("bob");
  const std::int64_t start = w.now;
  const std::int64_t restart = start + 2 * 60 * kMinute;
  w.now = restart + 29 * kMinute;
  EXPECT_TRUE(w.Do(ExpireSessions{{}, restart}).empty());
  w.now = restart + 30 * kMinute;
  auto events = w.Do(ExpireSessions{{}, restart});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].body.AsSessionEnded()->session_id, old);
}

}  // namespace
}  // namespace portico::domain
