// Decide and Evolve for the portal workflows (issue 6), through real commands on a
// MemoryLog: registration doors and decisions, import row judgements, portal managers'
// "never above", portal actions in a restricted organisation.
#include "domain/workflows.h"

#include "world.h"

namespace portico::domain::testing {
namespace {

const std::string kCodeHash(64, 'a');

class WorkflowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    w.Org("acme");
    w.Org("frozen", schema::OrgKind::Client, "", schema::AccessMode::Restricted);
    w.Do(SetRegistrationCode{OrgId("acme"), kCodeHash, LevelId("client-base")});
  }
  void Mode(schema::SelfRegistration mode) {
    ChangeSettings settings;
    settings.self_registration = mode;
    w.Do(settings);
  }
  RequestRegistration Registration(const std::string& id, const std::string& code = kCodeHash) {
    return RequestRegistration{code, UserId(id), id + "@example.com", "Person " + id, id + "@example.com",
                               "correct horse battery", kHash};
  }
  World w;
};

TEST_F(WorkflowsTest, ClosedDoorsAnswerAlike) {
  const Status off = w.Try(Registration("r1"));
  const Status unknown = w.Try(Registration("r2", std::string(64, 'b')));
  EXPECT_EQ(off.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(off.ToString(), unknown.ToString());
  Mode(schema::SelfRegistration::Approval);
  EXPECT_EQ(w.Try(Registration("r3", std::string(64, 'b'))).ToString(), off.ToString());
  EXPECT_TRUE(CheckRegistrationOpen(w.state(), kCodeHash).ok());
}

TEST_F(WorkflowsTest, PendingIsNotAUserUntilApproved) {
  Mode(schema::SelfRegistration::Approval);
  w.Do(Registration("pat"));
  EXPECT_EQ(w.state().FindUser("pat"), nullptr);
  EXPECT_EQ(w.Try(Registration("pat2")).code(), StatusCode::kOk);
  auto again = Registration("pat3");
  again.username = "PAT@example.com";
  EXPECT_EQ(w.Try(again).code(), StatusCode::kAlreadyExists) << "reserved while pending";
  w.Do(DecideRegistration{UserId("pat"), true, ""});
  ASSERT_NE(w.state().FindUser("pat"), nullptr);
  EXPECT_EQ(w.state().FindUser("pat")->level.value(), "client-base");
  EXPECT_EQ(w.Try(DecideRegistration{UserId("pat"), false, ""}).code(), StatusCode::kFailedPrecondition);
}

TEST_F(WorkflowsTest, OpenCreatesTheUserAtOnce) {
  Mode(schema::SelfRegistration::Open);
  w.Do(Registration("olive"));
  ASSERT_NE(w.state().FindUser("olive"), nullptr);
  EXPECT_EQ(w.state().FindUser("olive")->password_hash, kHash);
}

TEST_F(WorkflowsTest, ImportJudgesEveryRowOnItsOwn) {
  w.User("taken", "acme", "client-base");
  ImportUsers import;
  import.import_id = "imp1";
  import.org_id = OrgId("acme");
  import.rows_total = 4;
  auto row = [](std::uint32_t n, const std::string& name, const std::string& level) {
    ImportRowInput r;
    r.row = n;
    r.user_id = UserId("imp1-" + std::to_string(n));
    r.username = name;
    r.display_name = "N";
    r.email = name + "@example.com";
    r.level = level;
    return r;
  };
  import.rows = {row(1, "a", "client-base"), row(2, "a", "client-base"), row(3, "taken", "client-base"),
                 row(4, "d", "no-level")};
  const auto events = w.Do(import);
  EXPECT_NE(w.state().FindUser("imp1-1"), nullptr);
  EXPECT_TRUE(w.state().FindUser("imp1-1")->must_reset_password);
  EXPECT_EQ(w.state().FindUser("imp1-2"), nullptr);
  const auto* summary = w.state().workflows.FindImport("imp1");
  ASSERT_NE(summary, nullptr);
  EXPECT_EQ(summary->created, 1u);
  EXPECT_EQ(summary->rejected, 3u);
  EXPECT_EQ(w.Try(import).code(), StatusCode::kAlreadyExists);
}

TEST_F(WorkflowsTest, ManagersNeverActAboveThemselvesNorOutsideTheirOrganisation) {
  w.Org("other");
  w.User("mia", "acme", "portal-manager");
  w.User("ben", "acme", "portal-basic");
  w.User("sue", "acme", "client-self-service");
  w.User("gus", "other", "portal-basic");
  EXPECT_TRUE(w.Try(PortalManagerAction{UserId("mia"), ChangeUserLevel{UserId("ben"), LevelId("portal-advanced")}}).ok());
  EXPECT_EQ(w.Try(PortalManagerAction{UserId("mia"), ChangeUserLevel{UserId("ben"), LevelId("client-self-service")}})
                .code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(w.Try(PortalManagerAction{UserId("mia"), ArchiveUser{UserId("sue")}}).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(w.Try(PortalManagerAction{UserId("mia"), ArchiveUser{UserId("gus")}}).code(), StatusCode::kNotFound);
  EXPECT_EQ(w.Try(PortalManagerAction{UserId("ben"), ArchiveUser{UserId("mia")}}).code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(w.Try(PortalManagerAction{UserId("mia"), ArchiveUser{UserId("ben")}}).ok());
  EXPECT_TRUE(w.state().FindUser("ben")->archived);
}

// A manager manages only users holding strictly less than itself: never itself, never a peer
// manager with the same rights (neither could otherwise archive or take over the other); it
// may still hand out its own level (Autotask's Manager creates Managers).
TEST_F(WorkflowsTest, ManagersNeverManageThemselvesNorTheirPeers) {
  w.User("mia", "acme", "portal-manager");
  w.User("max", "acme", "portal-manager");
  w.User("ben", "acme", "portal-basic");
  const auto as_mia = [&](auto action) { return w.Try(PortalManagerAction{UserId("mia"), action}); };
  for (const char* target : {"mia", "max"}) {
    const UserId id(target);
    EXPECT_EQ(as_mia(ArchiveUser{id}).code(), StatusCode::kPermissionDenied) << target;
    EXPECT_EQ(as_mia(SetPassword{id, NewPassword{"a takeover password", kHash}, false, SessionId()}).code(),
              StatusCode::kPermissionDenied)
        << target;
    EXPECT_EQ(as_mia(ForcePasswordReset{id}).code(), StatusCode::kPermissionDenied) << target;
    EXPECT_EQ(as_mia(EndUserSessions{id}).code(), StatusCode::kPermissionDenied) << target;
    EXPECT_EQ(as_mia(ChangeUserLevel{id, LevelId("portal-basic")}).code(), StatusCode::kPermissionDenied) << target;
  }
  EXPECT_FALSE(w.state().FindUser("max")->archived);

  // A peer stripped of one capability is below the manager, and manageable again.
  w.Do(RevokePermission{UserId("max"), "tasks.create"});
  EXPECT_TRUE(as_mia(ForcePasswordReset{UserId("max")}).ok());
  // A user given users.manage on a lesser level is a lesser manager: manageable.
  w.Do(GrantPermission{UserId("ben"), "users.manage", "", 0});
  EXPECT_TRUE(as_mia(ForcePasswordReset{UserId("ben")}).ok());

  // Handing out its own level is allowed; the user promoted to it is then a peer.
  CreateUser peer;
  peer.user_id = UserId("pam");
  peer.org_id = OrgId("acme");
  peer.username = "pam";
  peer.display_name = "Pam";
  peer.level = LevelId("portal-manager");
  EXPECT_TRUE(as_mia(peer).ok());
  EXPECT_EQ(as_mia(ArchiveUser{UserId("pam")}).code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(as_mia(ChangeUserLevel{UserId("ben"), LevelId("portal-manager")}).ok());
  EXPECT_EQ(as_mia(ArchiveUser{UserId("ben")}).code(), StatusCode::kPermissionDenied);
}

TEST_F(WorkflowsTest, PortalActionsAreRefusedInARestrictedOrganisation) {
  w.User("fay", "frozen", "portal-manager");
  w.User("ada", "acme", "portal-manager");
  EXPECT_TRUE(w.Try(SubmitPortalRequest{UserId("ada"), "req1", schema::PortalRequestKind::Task, "Tap", ""}).ok());
  EXPECT_EQ(w.Try(SubmitPortalRequest{UserId("fay"), "req2", schema::PortalRequestKind::Task, "Tap", ""}).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(w.Try(UpdateContactDetails{UserId("fay"), "Fay", "fay@example.com", ""}).code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(w.Try(UpdateContactDetails{UserId("ada"), "Ada L.", "ada@example.com", "+61 2"}).ok());
  EXPECT_EQ(w.state().FindUser("ada")->display_name, "Ada L.");
  EXPECT_EQ(w.state().FindUser("ada")->phone, "+61 2") << "the phone is kept, not only recorded";
}

// A pending registration reserves its user name against every way of taking it: the
// availability check, staff creating a user, a portal manager creating one. Its approval then
// cannot fail on the name.
TEST_F(WorkflowsTest, PendingUserNameIsReservedEverywhere) {
  Mode(schema::SelfRegistration::Approval);
  w.Do(Registration("pat"));
  EXPECT_FALSE(IsUsernameAvailable(w.state(), "PAT@example.com").value());
  EXPECT_TRUE(IsUsernameAvailable(w.state(), "someone-else@example.com").value());

  CreateUser staff;
  staff.user_id = UserId("pat-by-staff");
  staff.org_id = OrgId("acme");
  staff.username = "pat@example.com";
  staff.display_name = "Pat";
  staff.email = "pat@example.com";
  staff.level = LevelId("client-base");
  EXPECT_EQ(w.Try(staff).code(), StatusCode::kAlreadyExists);
  w.User("mia", "acme", "portal-manager");
  CreateUser by_manager = staff;
  by_manager.level = LevelId("portal-basic");
  EXPECT_EQ(w.Try(PortalManagerAction{UserId("mia"), by_manager}).code(), StatusCode::kAlreadyExists);

  EXPECT_TRUE(w.Try(DecideRegistration{UserId("pat"), true, ""}).ok());
}

// A registration keeps its user id for good: while pending (so that its approval cannot fail)
// and once rejected (audit files the id's events under the registration's organisation). Staff,
// a portal manager and an import are all refused it, as for an existing user's id.
TEST_F(WorkflowsTest, RegistrationUserIdIsTakenEverywhere) {
  Mode(schema::SelfRegistration::Approval);
  w.Org("other");
  w.User("mia", "other", "portal-manager");
  w.Do(Registration("u_x"));
  w.Do(Registration("u_y"));
  w.Do(DecideRegistration{UserId("u_y"), false, "unknown person"});

  for (const std::string id : {"u_x", "u_y"}) {
    CreateUser staff;
    staff.user_id = UserId(id);
    staff.org_id = OrgId("other");
    staff.username = id + "-staff@example.com";
    staff.display_name = "Someone";
    staff.email = "someone@example.com";
    staff.level = LevelId("client-base");
    const Status by_staff = w.Try(staff);
    EXPECT_EQ(by_staff.code(), StatusCode::kAlreadyExists) << id;
    EXPECT_EQ(by_staff.message(), "user '" + id + "' already exists");
    CreateUser by_manager = staff;
    by_manager.level = LevelId("portal-basic");
    EXPECT_EQ(w.Try(PortalManagerAction{UserId("mia"), by_manager}).code(), StatusCode::kAlreadyExists) << id;

    ImportUsers import;
    import.import_id = "imp-" + id;
    import.org_id = OrgId("other");
    import.rows_total = 1;
    ImportRowInput row;
    row.row = 1;
    row.user_id = UserId(id);
    row.username = id + "-import@example.com";
    row.display_name = "N";
    row.email = "n@example.com";
    row.level = "client-base";
    import.rows = {row};
    w.Do(import);
    EXPECT_EQ(w.state().workflows.FindImport(import.import_id)->rejected, 1u) << id;
    EXPECT_EQ(w.state().FindUser(id), nullptr) << id;
  }
  w.Do(DecideRegistration{UserId("u_x"), true, ""});
  ASSERT_NE(w.state().FindUser("u_x"), nullptr);
  EXPECT_EQ(w.state().FindUser("u_x")->org.value(), "acme") << "the registration's organisation";
}

// The manager's rules can be asked on their own (before hashing a new password), and answer
// as Decide does.
TEST_F(WorkflowsTest, ManagerRulesAreCheckedWithoutDeciding) {
  w.Org("other");
  w.User("mia", "acme", "portal-manager");
  w.User("ben", "acme", "portal-basic");
  w.User("gus", "other", "portal-basic");
  const auto check = [&](const std::string& manager, ManagedUserAction action) {
    return CheckPortalManagerAction(w.state(), PortalManagerAction{UserId(manager), std::move(action)}, 0).code();
  };
  EXPECT_EQ(check("mia", SetPassword{UserId("ben"), NewPassword{}, true, SessionId()}), StatusCode::kOk);
  EXPECT_EQ(check("ben", SetPassword{UserId("mia"), NewPassword{}, true, SessionId()}),
            StatusCode::kPermissionDenied)
      << "no users.manage";
  EXPECT_EQ(check("mia", SetPassword{UserId("gus"), NewPassword{}, true, SessionId()}), StatusCode::kNotFound);
  EXPECT_EQ(check("mia", SetPassword{UserId("nobody"), NewPassword{}, true, SessionId()}), StatusCode::kNotFound);
}

}  // namespace
}  // namespace portico::domain::testing
