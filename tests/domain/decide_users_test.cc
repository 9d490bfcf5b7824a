// Decide for portal users: creation, level, grants, revocations, password, login flag, archive.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "domain/validate.h"
#include "tests/domain/world.h"

namespace portico::domain {
namespace {

using schema::EventBody;
using schema::OrgKind;
using schema::SessionEndReason;
using schema::UserType;
using testing::CountOf;
using testing::kHash;
using testing::World;

class Users : public ::testing::Test {
 protected:
  void SetUp() override {
    w.Org("acme");
    w.ContractorOrg("sparks");
    w.User("bob", "acme", "client-base");
  }
  CreateUser NewUser(const std::string& id, const std::string& username) {
    CreateUser c;
    c.user_id = UserId(id);
    c.org_id = OrgId("acme");
    c.username = username;
    c.display_name = "Someone";
    c.email = "someone@acme.example";
    c.level = LevelId("client-base");
    return c;
  }
  World w;
};

TEST_F(Users, CreateRecordsTheCanonicalUserNameAndNeverThePassword) {
  CreateUser c = NewUser("ann", "  Ann.Smith@Acme.Example ");
  c.password = NewPassword{"hunter2hunter2", kHash};
  c.must_reset_password = true;
  auto events = w.Do(c);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].stream, "user:ann");
  const auto* created = events[0].body.AsUserCreated();
  EXPECT_EQ(created->username, "ann.smith@acme.example");
  EXPECT_EQ(created->password_hash, kHash);
  EXPECT_TRUE(created->must_reset_password);
  for (const std::string& bytes : w.log.envelopes()) {
    EXPECT_EQ(bytes.find("hunter2hunter2"), std::string::npos) << "a password reached the log";
  }
  const User* ann = w.state().FindUser("ann");
  ASSERT_NE(ann, nullptr);
  EXPECT_TRUE(ann->login_enabled);
  EXPECT_EQ(w.state().FindUserByUsername("ann.smith@acme.example"), ann);
}

TEST_F(Users, UserNamesAreUniqueCaseInsensitiveTrimmedAndAcrossArchivedUsers) {
  EXPECT_REJECTED(w.Try(NewUser("bob2", "BOB")), kAlreadyExists, "username 'bob' is taken");
  EXPECT_REJECTED(w.Try(NewUser("bob2", "\t bob  ")), kAlreadyExists, "username 'bob' is taken");
  w.Do(ArchiveUser{UserId("bob")});
  EXPECT_REJECTED(w.Try(NewUser("bob2", "Bob")), kAlreadyExists, "username 'bob' is taken");
  EXPECT_FALSE(*IsUsernameAvailable(w.state(), " BoB "));
  EXPECT_TRUE(*IsUsernameAvailable(w.state(), "robert"));
  EXPECT_EQ(IsUsernameAvailable(w.state(), "bob smith").status().code(), StatusCode::kInvalidArgument);
}

// Whether an id or user name is taken (anywhere, in any organisation) is told only to a
// request that is valid in every other way.
TEST_F(Users, TakenIsToldOnlyToAnOtherwiseValidRequest) {
  CreateUser bad_email = NewUser("bob", "bob");
  bad_email.email = "not-an-email";
  EXPECT_EQ(w.Try(bad_email).code(), StatusCode::kInvalidArgument);
  CreateUser bad_level = NewUser("bob", "bob");
  bad_level.level = LevelId("no-such-level");
  EXPECT_NE(w.Try(bad_level).code(), StatusCode::kAlreadyExists);
  CreateUser no_org = NewUser("x", "bob");
  no_org.org_id = OrgId("nope");
  EXPECT_EQ(w.Try(no_org).code(), StatusCode::kNotFound);
  EXPECT_REJECTED(w.Try(NewUser("x", "bob")), kAlreadyExists, "username 'bob' is taken");
}

TEST_F(Users, CreateRejections) {
  EXPECT_REJECTED(w.Try(NewUser("bob", "another")), kAlreadyExists, "user 'bob' already exists");
  EXPECT_REJECTED(w.Try(NewUser("", "x")), kInvalidArgument, "user id is empty");
  EXPECT_REJECTED(w.Try(NewUser("x", "   ")), kInvalidArgument, "username is empty");
  EXPECT_REJECTED(w.Try(NewUser("x", "bob smith")), kInvalidArgument,
                  "username 'bob smith' may only contain letters, digits and . _ @ + -");
  EXPECT_REJECTED(w.Try(NewUser("x", "b\xc3\xb3")), kInvalidArgument, "may only contain");
  EXPECT_REJECTED(w.Try(NewUser("x", std::string(129, 'a'))), kInvalidArgument,
                  "username is longer than 128 characters");
  CreateUser c = NewUser("x", "x");
  c.org_id = OrgId("nope");
  EXPECT_REJECTED(w.Try(c), kNotFound, "organisation 'nope' does not exist");
  c = NewUser("x", "x");
  c.display_name = "tab\tbed";
  EXPECT_REJECTED(w.Try(c), kInvalidArgument, "display name contains a control character");
  c = NewUser("x", "x");
  c.email = "not-an-address";
  EXPECT_REJECTED(w.Try(c), kInvalidArgument, "email 'not-an-address' is not an address");
  c = NewUser("x", "x");
  c.user_type = static_cast<UserType>(3);
  EXPECT_REJECTED(w.Try(c), kInvalidArgument, "user type is not active, passive or contractor");
  c = NewUser("x", "x");
  c.user_type = UserType::Contractor;
  EXPECT_REJECTED(w.Try(c), kFailedPrecondition,
                  "contractor user 'x' must belong to a contractor organisation, and 'acme' is a client");
  c = NewUser("x", "x");
  c.org_id = OrgId("sparks");
  c.level = LevelId("contractor-base");
  EXPECT_REJECTED(w.Try(c), kFailedPrecondition,
                  "user 'x' of contractor organisation 'sparks' must be a contractor or passive user");
  c = NewUser("x", "x");
  c.level = LevelId("platinum");
  EXPECT_REJECTED(w.Try(c), kNotFound, "level 'platinum' does not exist");
  w.Do(SetAllowedLevels{OrgId("acme"), {LevelId("client-base")}});
  c = NewUser("x", "x");
  c.level = LevelId("client-manager");
  EXPECT_REJECTED(w.Try(c), kFailedPrecondition, "level 'client-manager' is not allowed for organisation 'acme'");
}

TEST_F(Users, PasswordPolicy) {
  CreateUser c = NewUser("x", "x");
  c.password = NewPassword{"1234567", kHash};  // default minimum: 8
  EXPECT_REJECTED(w.Try(c), kFailedPrecondition, "password is shorter than the minimum of 8 characters");
  c.password = NewPassword{std::string(129, 'p'), kHash};
  EXPECT_REJECTED(w.Try(c), kFailedPrecondition, "password is longer than the maximum of 128 characters");
  c.password = NewPassword{"long enough", "plaintext-not-a-hash"};
  EXPECT_REJECTED(w.Try(c), kInvalidArgument, "password hash is not an argon2id encoded string");
  // Characters, not bytes: eight two-byte characters are eight characters.
  c.password = NewPassword{"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", kHash};
  EXPECT_TRUE(w.Try(c).ok());
  // A provider may lower the minimum to AroFlo's 6 (seed 000 l30), never below.
  ChangeSettings six;
  six.password_min_length = 6;
  w.Do(six);
  EXPECT_TRUE(CheckPasswordPolicy(w.state().settings, "123456").ok());
  EXPECT_FALSE(CheckPasswordPolicy(w.state().settings, "12345").ok());
}

TEST_F(Users, ChangeLevelRejections) {
  EXPECT_REJECTED(w.Try(ChangeUserLevel{UserId("nobody"), LevelId("client-base")}), kNotFound,
                  "user 'nobody' does not exist");
  EXPECT_REJECTED(w.Try(ChangeUserLevel{UserId("bob"), LevelId("platinum")}), kNotFound,
                  "level 'platinum' does not exist");
  w.Do(SetAllowedLevels{OrgId("acme"), {LevelId("client-base")}});
  EXPECT_REJECTED(w.Try(ChangeUserLevel{UserId("bob"), LevelId("client-manager")}), kFailedPrecondition,
                  "level 'client-manager' is not allowed for organisation 'acme'");
  w.Do(ArchiveUser{UserId("bob")});
  EXPECT_REJECTED(w.Try(ChangeUserLevel{UserId("bob"), LevelId("client-base")}), kFailedPrecondition,
                  "user 'bob' is archived");
}

TEST_F(Users, ChangeLevelChangesWhatTheUserMayDo) {
  w.Resource("quote", schema::ResourceType::Quote, "acme");
  EXPECT_EQ(w.Can("bob", "quotes.view", "quote").reason, Reason::kCapabilityMissing);
  w.Do(ChangeUserLevel{UserId("bob"), LevelId("client-manager")});
  EXPECT_TRUE(w.Can("bob", "quotes.view", "quote").allowed);
}

TEST_F(Users, GrantRejections) {
  EXPECT_REJECTED(w.Try(GrantPermission{UserId("nobody"), "quotes.view", "", 0}), kNotFound,
                  "user 'nobody' does not exist");
  EXPECT_REJECTED(w.Try(GrantPermission{UserId("bob"), "quotes.fly", "", 0}), kInvalidArgument,
                  "unknown capability 'quotes.fly'");
  EXPECT_REJECTED(w.Try(GrantPermission{UserId("bob"), "quotes.view", "contact", 0}), kInvalidArgument,
                  "scope 'contact' is not allowed for capability 'quotes.view'");
  EXPECT_REJECTED(w.Try(GrantPermission{UserId("bob"), "quotes.view", "", w.now}), kFailedPrecondition,
                  "which is not in the future");
  EXPECT_REJECTED(w.Try(GrantPermission{UserId("bob"), "quotes.view", "", -5}), kInvalidArgument,
                  "expires_at is before 1970");
  w.Do(ArchiveUser{UserId("bob")});
  EXPECT_REJECTED(w.Try(GrantPermission{UserId("bob"), "quotes.view", "", 0}), kFailedPrecondition,
                  "user 'bob' is archived");
}

TEST_F(Users, RevokeRejections) {
  EXPECT_REJECTED(w.Try(RevokePermission{UserId("nobody"), "quotes.view"}), kNotFound, "user 'nobody' does not exist");
  EXPECT_REJECTED(w.Try(RevokePermission{UserId("bob"), "quotes.fly"}), kInvalidArgument,
                  "unknown capability 'quotes.fly'");
}

TEST_F(Users, SetPasswordEndsTheOtherSessions) {
  w.LogIn("bob");
  const std::string s2 = w.LogIn("bob");
  w.LogIn("bob");
  auto events = w.Do(SetPassword{UserId("bob"), NewPassword{"new password!", kHash}, false, SessionId(s2)});
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].body.type, EventBody::PasswordChanged);
  EXPECT_EQ(CountOf(events, EventBody::SessionEnded), 2);
  EXPECT_EQ(events[1].body.AsSessionEnded()->reason, SessionEndReason::PasswordChanged);
  EXPECT_EQ(w.state().FindUser("bob")->sessions, (std::set<std::string>{s2}));
  // Staff setting it (no session kept) ends them all.
  events = w.Do(SetPassword{UserId("bob"), NewPassword{"newer password", kHash}, true, SessionId("")});
  EXPECT_EQ(CountOf(events, EventBody::SessionEnded), 1);
  EXPECT_TRUE(w.state().FindUser("bob")->must_reset_password);
  EXPECT_TRUE(w.state().sessions.empty());
}

TEST_F(Users, SetPasswordRejections) {
  EXPECT_REJECTED(w.Try(SetPassword{UserId("nobody"), NewPassword{"long enough", kHash}, false, SessionId("")}),
                  kNotFound, "user 'nobody' does not exist");
  EXPECT_REJECTED(w.Try(SetPassword{UserId("bob"), NewPassword{"short", kHash}, false, SessionId("")}),
                  kFailedPrecondition, "password is shorter than the minimum of 8 characters");
  EXPECT_REJECTED(w.Try(SetPassword{UserId("bob"), NewPassword{"long enough", ""}, false, SessionId("")}),
                  kInvalidArgument, "password hash is not an argon2id encoded string");
  EXPECT_REJECTED(w.Try(SetPassword{UserId("bob"), NewPassword{"long enough", kHash}, false, SessionId("zzz")}),
                  kNotFound, "session 'zzz' is not an active session of user 'bob'");
  w.Do(ArchiveUser{UserId("bob")});
  EXPECT_REJECTED(w.Try(SetPassword{UserId("bob"), NewPassword{"long enough", kHash}, false, SessionId("")}),
                  kFailedPrecondition, "user 'bob' is archived");
}

TEST_F(Users, ForceReset) {
  EXPECT_REJECTED(w.Try(ForcePasswordReset{UserId("nobody")}), kNotFound, "user 'nobody' does not exist");
  w.Do(ForcePasswordReset{UserId("bob")});
  EXPECT_TRUE(w.state().FindUser("bob")->must_reset_password);
  // Setting a new password without the flag clears it.
  w.Do(SetPassword{UserId("bob"), NewPassword{"my own secret", kHash}, false, SessionId("")});
  EXPECT_FALSE(w.state().FindUser("bob")->must_reset_password);
  w.Do(ArchiveUser{UserId("bob")});
  EXPECT_REJECTED(w.Try(ForcePasswordReset{UserId("bob")}), kFailedPrecondition, "user 'bob' is archived");
}

TEST_F(Users, LoginEnabled) {
  const std::string s = w.LogIn("bob");
  auto events = w.Do(SetLoginEnabled{UserId("bob"), false});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].body.AsSessionEnded()->reason, SessionEndReason::LoginDisabled);
  EXPECT_EQ(w.state().FindSession(s), nullptr);
  EXPECT_EQ(w.Can("bob", "tasks.create").reason, Reason::kLoginDisabled);
  w.Do(SetLoginEnabled{UserId("bob"), true});
  EXPECT_TRUE(w.Can("bob", "tasks.create").allowed);

  w.User("pat", "acme", "client-base", UserType::Passive);
  EXPECT_REJECTED(w.Try(SetLoginEnabled{UserId("pat"), true}), kFailedPrecondition, "passive user 'pat' never logs in");
  EXPECT_REJECTED(w.Try(SetLoginEnabled{UserId("nobody"), true}), kNotFound, "user 'nobody' does not exist");
}

TEST_F(Users, ArchiveEndsSessionsAndIsFinal) {
  // 000 l99: "Archiving a user or contact will automatically end their session."
  const std::string s = w.LogIn("bob");
  auto events = w.Do(ArchiveUser{UserId("bob")});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].body.type, EventBody::UserArchived);
  EXPECT_EQ(events[1].body.AsSessionEnded()->reason, SessionEndReason::Archived);
  EXPECT_EQ(events[1].body.AsSessionEnded()->session_id, s);
  EXPECT_EQ(w.Can("bob", "tasks.create").reason, Reason::kUserArchived);
  EXPECT_REJECTED(w.Try(ArchiveUser{UserId("bob")}), kFailedPrecondition, "user 'bob' is already archived");
  EXPECT_REJECTED(w.Try(ArchiveUser{UserId("nobody")}), kNotFound, "user 'nobody' does not exist");
}

}  // namespace
}  // namespace portico::domain
