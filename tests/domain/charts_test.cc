// The seeds' access charts, one row per cell: for every function of every chart and every
// level (column), what a user of that level may do, checked against real resources. Where a
// cell limits the scope ("Task contact only"), rows check both sides: the resource inside
// the scope is allowed and one just outside is denied with the reason a user would be given.
#include <gtest/gtest.h>

#include "tests/domain/world.h"

namespace portico::domain {
namespace {

using schema::NoteVisibility;
using schema::ResourceStatus;
using schema::ResourceType;
using testing::World;

struct Row {
  const char* seed;      // the seed document
  const char* cell;      // the chart's row and column, quoted from the seed, with its line
  const char* user;
  const char* capability;
  const char* resource;  // "" for none
  bool allowed;
  Reason reason;         // when denied
  Scope scope = Scope::kNone;  // when allowed and it matters
};

void CheckRows(const World& w, const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string("seed ") + row.seed + ": " + row.cell + " [" + row.user + ", " + row.capability +
                 (row.resource[0] ? std::string(", ") + row.resource : std::string()) + "]");
    const CheckResult r = w.Can(row.user, row.capability, row.resource);
    EXPECT_EQ(r.allowed, row.allowed) << r.detail;
    if (row.allowed) {
      if (row.scope != Scope::kNone) {
        EXPECT_EQ(ScopeName(r.scope), ScopeName(row.scope));
      }
    } else {
      EXPECT_EQ(ReasonName(r.reason), ReasonName(row.reason)) << r.detail;
      EXPECT_FALSE(r.detail.empty());
    }
  }
}

constexpr Reason kOk = Reason::kAllowed;

// -- Seed 000: AroFlo client chart of access -------------------------------------------------

class ClientChart : public ::testing::Test {
 protected:
  void SetUp() override {
    w.Org("acme");
    w.Org("globex");
    w.User("mgr", "acme", "client-manager");
    w.User("base", "acme", "client-base");
    w.User("other", "acme", "client-base");
    w.User("gx", "globex", "client-manager");
    w.Task("cur-base", "acme", ResourceStatus::Current, "base");
    w.Task("cur-other", "acme", ResourceStatus::Current, "other");
    w.Task("done-base", "acme", ResourceStatus::Completed, "base");
    w.Task("done-other", "acme", ResourceStatus::Completed, "other");
    w.Task("per-base", "acme", ResourceStatus::Periodic, "base");
    w.Task("cur-globex", "globex", ResourceStatus::Current, "gx");
    w.Resource("quote", ResourceType::Quote, "acme");
    w.Resource("project", ResourceType::Project, "acme");
    w.Resource("location", ResourceType::Location, "acme");
    w.Resource("report", ResourceType::Report, "acme");
  }
  World w;
};

TEST_F(ClientChart, EveryCell) {
  const Reason kMissing = Reason::kCapabilityMissing;
  const Reason kScope = Reason::kOutOfScope;
  CheckRows(w, {
      {"000", "l45 Create tasks / Manager", "mgr", "tasks.create", "", true, kOk},
      {"000", "l45 Create tasks / Base", "base", "tasks.create", "", true, kOk},
      {"000", "l47 Add task notes / Manager", "mgr", "tasks.notes.add", "cur-other", true, kOk},
      {"000", "l47 Add task notes / Base (own task)", "base", "tasks.notes.add", "cur-base", true, kOk},
      {"000", "l47 Add task notes / Base (a task it cannot see)", "base", "tasks.notes.add", "cur-other", false,
       Reason::kResourceNotVisible},
      {"000", "l49 Access current tasks / Manager", "mgr", "tasks.view.current", "cur-other", true, kOk, Scope::kOrg},
      {"000", "l49 Access current tasks / Manager (another client's task)", "mgr", "tasks.view.current",
       "cur-globex", false, Reason::kUnrelatedResource},
      {"000", "l52 Access current tasks / Base: Task contact only (contact)", "base", "tasks.view.current",
       "cur-base", true, kOk, Scope::kContact},
      {"000", "l52 Access current tasks / Base: Task contact only (another contact)", "base",
       "tasks.view.current", "cur-other", false, kScope},
      {"000", "l54 Access completed tasks / Manager", "mgr", "tasks.view.completed", "done-other", true, kOk,
       Scope::kOrg},
      {"000", "l57 Access completed tasks / Base: Task contact only (contact)", "base", "tasks.view.completed",
       "done-base", true, kOk, Scope::kContact},
      {"000", "l57 Access completed tasks / Base: Task contact only (another contact)", "base",
       "tasks.view.completed", "done-other", false, kScope},
      {"000", "l59 Access periodic tasks / Manager", "mgr", "tasks.view.periodic", "per-base", true, kOk},
      {"000", "l59 Access periodic tasks / Base (even as contact)", "base", "tasks.view.periodic", "per-base",
       false, kMissing},
      {"000", "l61 Access quotes / Manager", "mgr", "quotes.view", "quote", true, kOk},
      {"000", "l61 Access quotes / Base", "base", "quotes.view", "quote", false, kMissing},
      {"000", "l65 Access projects / Manager", "mgr", "projects.view", "project", true, kOk},
      {"000", "l65 Access projects / Base", "base", "projects.view", "project", false, kMissing},
      {"000", "l67 Access locations / Manager", "mgr", "locations.view", "location", true, kOk},
      {"000", "l67 Access locations / Base", "base", "locations.view", "location", false, kMissing},
      {"000", "l69 Access reports / Manager", "mgr", "reports.view", "report", true, kOk, Scope::kFull},
      {"000", "l72 Access reports / Base: Client view only", "base", "reports.view", "report", true, kOk,
       Scope::kClientView},
  });
}

TEST_F(ClientChart, ShowClientNotesAreVisibleOnTheTasksTheContactSees) {
  // 000 l79: notes on tasks are shown to the client; internal ones never.
  w.Note("shown", "cur-base", NoteVisibility::Client);
  w.Note("hidden", "cur-base", NoteVisibility::Internal);
  w.Note("on-other", "cur-other", NoteVisibility::Client);
  w.Note("for-contractors", "cur-base", NoteVisibility::Contractor);
  EXPECT_TRUE(w.SeesNote("base", "shown").allowed);
  EXPECT_TRUE(w.SeesNote("mgr", "shown").allowed);
  EXPECT_EQ(w.SeesNote("base", "hidden").reason, Reason::kNoteInternal);
  EXPECT_EQ(w.SeesNote("base", "on-other").reason, Reason::kOutOfScope);  // its task is not base's
  EXPECT_TRUE(w.SeesNote("mgr", "on-other").allowed);
  EXPECT_EQ(w.SeesNote("base", "for-contractors").reason, Reason::kNoteNotShared);
  // 000 l79: "client-specific setting only applies to notes added by internal users": a note
  // the contact wrote stays visible to its organisation even when staff mark it contractor.
  w.Do(ShareNote{NoteId("by-base"), ResourceId("cur-base"), "the gate code is 1234",
                 NoteVisibility::Client, UserId("base")});
  w.Do(ChangeNoteVisibility{NoteId("by-base"), NoteVisibility::Contractor});
  EXPECT_TRUE(w.SeesNote("base", "by-base").allowed);
  EXPECT_TRUE(w.SeesNote("mgr", "by-base").allowed);
}

TEST_F(ClientChart, SystemAccessEnabledOrRestricted) {
  // 000 l9-20, l36: the client card's System Access must be Enabled or Restricted to log in;
  // portico's Restricted is read-only.
  w.Do(SetOrgAccess{OrgId("acme"), schema::AccessMode::Restricted});
  EXPECT_TRUE(w.Can("mgr", "tasks.view.current", "cur-other").allowed);
  EXPECT_EQ(w.Can("mgr", "tasks.create").reason, Reason::kOrgRestricted);
  EXPECT_EQ(w.Can("base", "tasks.notes.add", "cur-base").reason, Reason::kOrgRestricted);
  w.Do(SetOrgAccess{OrgId("acme"), schema::AccessMode::Disabled});
  EXPECT_EQ(w.Can("mgr", "tasks.view.current", "cur-other").reason, Reason::kOrgAccessDisabled);
}

// -- Seed 001: AroFlo contractor chart of access ---------------------------------------------

class ContractorChart : public ::testing::Test {
 protected:
  void SetUp() override {
    w.Org("acme");
    w.ContractorOrg("sparks");
    w.ContractorOrg("volt");
    w.User("cm", "sparks", "contractor-manager", schema::UserType::Contractor);
    w.User("cb", "sparks", "contractor-base", schema::UserType::Contractor);
    w.User("vb", "volt", "contractor-base", schema::UserType::Contractor);
    w.User("client", "acme", "client-manager");
    // Tasks of the client acme, as its contractors see them.
    w.Task("biz", "acme", ResourceStatus::Current, "client", {}, "sparks");          // to the business
    w.Task("cb-job", "acme", ResourceStatus::Current, "client", {"cb"}, "sparks");   // to business and cb
    w.Task("cm-direct", "acme", ResourceStatus::Current, "client", {"cm"}, "volt");  // to cm, at volt
    w.Task("volt-job", "acme", ResourceStatus::Current, "client", {"vb"}, "volt");   // someone else's
    w.Task("biz-done", "acme", ResourceStatus::Completed, "client", {}, "sparks");
    w.Task("cb-done", "acme", ResourceStatus::Completed, "client", {"cb"}, "sparks");
    w.Task("biz-periodic", "acme", ResourceStatus::Periodic, "client", {"cb"}, "sparks");
    // Compliance forms, recorded against the person who fills them in (its contact).
    w.Task("form-cm", "acme", ResourceStatus::Current, "cm", {"cb"}, "sparks");
    w.Task("form-cb", "acme", ResourceStatus::Current, "cb", {"cb"}, "sparks");
    w.Note("client-note", "cb-job", NoteVisibility::Client);
    w.Note("contractor-note", "cb-job", NoteVisibility::Contractor);
  }
  World w;
};

TEST_F(ContractorChart, EveryCell) {
  const Reason kMissing = Reason::kCapabilityMissing;
  const Reason kScope = Reason::kOutOfScope;
  const Reason kUnseen = Reason::kResourceNotVisible;
  CheckRows(w, {
      {"001", "l75-78 Access Current Tasks / Manager: assigned to business", "cm", "tasks.view.current", "biz",
       true, kOk, Scope::kAssignedBusiness},
      {"001", "l75-78 Access Current Tasks / Manager: assigned to user", "cm", "tasks.view.current",
       "cm-direct", true, kOk, Scope::kAssigned},
      {"001", "l75-78 Access Current Tasks / Manager: another business's task", "cm", "tasks.view.current",
       "volt-job", false, Reason::kUnrelatedResource},
      {"001", "l80 Access Current Tasks / Base: assigned to user", "cb", "tasks.view.current", "cb-job", true,
       kOk, Scope::kAssigned},
      {"001", "l80 Access Current Tasks / Base: only the business's, not the user's", "cb",
       "tasks.view.current", "biz", false, kScope},
      {"001", "l82 Assign Tasks / Manager", "cm", "tasks.assign", "biz", true, kOk},
      {"001", "l82 Assign Tasks / Base", "cb", "tasks.assign", "cb-job", false, kMissing},
      {"001", "l85-87 Access Task Checklists / Manager", "cm", "tasks.checklists", "biz", true, kOk},
      {"001", "l87 Access Task Checklists / Base", "cb", "tasks.checklists", "cb-job", true, kOk},
      {"001", "l87 Access Task Checklists / Base: on a task it cannot see", "cb", "tasks.checklists", "biz",
       false, kUnseen},
      {"001", "l89 Add Labour/Materials and Expenses / Manager", "cm", "tasks.labour.add", "biz", true, kOk},
      {"001", "l89 Add Labour/Materials and Expenses / Base", "cb", "tasks.labour.add", "cb-job", true, kOk},
      {"001", "l94 Access Completed Tasks / Manager", "cm", "tasks.view.completed", "biz-done", true, kOk,
       Scope::kAssignedBusiness},
      {"001", "l97 Access Completed Tasks / Base: Assigned tasks only", "cb", "tasks.view.completed", "cb-done",
       true, kOk, Scope::kAssigned},
      {"001", "l97 Access Completed Tasks / Base: not assigned to it", "cb", "tasks.view.completed", "biz-done",
       false, kScope},
      {"001", "l100 Upload Photos to a Task / Manager", "cm", "tasks.photos.upload", "biz", true, kOk},
      {"001", "l100 Upload Photos to a Task / Base", "cb", "tasks.photos.upload", "cb-job", true, kOk},
      {"001", "l108 Add or Remove Assets From a Task / Manager", "cm", "tasks.assets.manage", "biz", true, kOk},
      {"001", "l108 Add or Remove Assets From a Task / Base", "cb", "tasks.assets.manage", "cb-job", false,
       kMissing},
      {"001", "l115-118 View Task Notes / Manager: Contractor notes only", "cm", "tasks.notes.view", "cb-job",
       true, kOk, Scope::kContractorNotes},
      {"001", "l120 View Task Notes / Base: Contractor notes only", "cb", "tasks.notes.view", "cb-job", true,
       kOk, Scope::kContractorNotes},
      {"001", "l122-124 Add Task Notes / Manager", "cm", "tasks.notes.add", "biz", true, kOk},
      {"001", "l122-124 Add Task Notes / Base", "cb", "tasks.notes.add", "cb-job", true, kOk},
      {"001", "l127-130 Access Compliance Forms / Manager: Own forms only (own)", "cm", "forms.compliance",
       "form-cm", true, kOk, Scope::kOwn},
      {"001", "l127-130 Access Compliance Forms / Manager: Own forms only (another's)", "cm",
       "forms.compliance", "form-cb", false, kScope},
      {"001", "l132 Access Compliance Forms / Base: Own forms only (own)", "cb", "forms.compliance", "form-cb",
       true, kOk, Scope::kOwn},
      {"001", "l132 Access Compliance Forms / Base: Own forms only (another's)", "cb", "forms.compliance",
       "form-cm", false, kScope},
      {"001", "periodic tasks are not in the contractor chart / Manager", "cm", "tasks.view.periodic",
       "biz-periodic", false, kMissing},
      {"001", "periodic tasks are not in the contractor chart / Base", "cb", "tasks.view.periodic",
       "biz-periodic", false, kMissing},
  });
}

TEST_F(ContractorChart, ContractorNotesOnly) {
  // 001 l115-120: both levels see contractor notes and never client notes.
  for (const char* user : {"cm", "cb"}) {
    SCOPED_TRACE(user);
    EXPECT_TRUE(w.SeesNote(user, "contractor-note").allowed);
    EXPECT_EQ(w.SeesNote(user, "client-note").reason, Reason::kNoteNotShared);
  }
  // The client sees its own notes and not the contractors'.
  EXPECT_TRUE(w.SeesNote("client", "client-note").allowed);
  EXPECT_EQ(w.SeesNote("client", "contractor-note").reason, Reason::kNoteNotShared);
  // Another business's contractor sees neither: the task is not its work.
  EXPECT_EQ(w.SeesNote("vb", "contractor-note").reason, Reason::kUnrelatedResource);
}

TEST_F(ContractorChart, PassiveUsersAreScheduledButNeverLogIn) {
  // 001 l10, l35-37: passive users can be assigned and scheduled, never log in.
  w.User("pass", "sparks", "contractor-base", schema::UserType::Passive);
  w.Task("scheduled", "acme", ResourceStatus::Current, "client", {"pass"}, "sparks");
  EXPECT_EQ(w.Can("pass", "tasks.view.current", "scheduled").reason, Reason::kUserPassive);
  auto events = w.Do(w.LoginNow("pass", true, "sp", testing::TokenHash(90)));
  ASSERT_EQ(events.size(), 1u);
  ASSERT_EQ(events[0].body.type, schema::EventBody::LoginFailed);
  EXPECT_EQ(events[0].body.AsLoginFailed()->reason, schema::LoginFailureReason::UserInactive);
}

// -- Seed 002: Daftra client permissions -----------------------------------------------------

class DaftraList : public ::testing::Test {
 protected:
  void SetUp() override {
    w.Org("shop");
    w.Org("rival");
    w.User("dc", "shop", "client-self-service");
    w.Resource("inv", ResourceType::Invoice, "shop");
    w.Resource("rival-inv", ResourceType::Invoice, "rival");
    w.Resource("est", ResourceType::Estimate, "shop");
    w.Resource("wo", ResourceType::WorkOrder, "shop");
    w.Resource("appt", ResourceType::Appointment, "shop");
    w.Resource("attachment", ResourceType::File, "shop");
    w.Resource("job", ResourceType::Task, "shop", ResourceStatus::Current, "dc");
    w.Note("shared", "inv", NoteVisibility::Client);
    w.Note("not-shared", "inv", NoteVisibility::Internal);
  }
  World w;
};

TEST_F(DaftraList, EveryItem) {
  CheckRows(w, {
      {"002", "l30 View his Profile", "dc", "profile.view", "", true, kOk},
      {"002", "l32 View Shared Notes / Attachments: notes", "dc", "notes.shared.view", "inv", true, kOk},
      {"002", "l32 View Shared Notes / Attachments: attachments", "dc", "files.view", "attachment", true, kOk},
      {"002", "l48 View & Pay Invoices: view", "dc", "invoices.view", "inv", true, kOk, Scope::kOrg},
      {"002", "l48 View & Pay Invoices: pay", "dc", "invoices.pay", "inv", true, kOk},
      {"002", "l48 View & Pay Invoices: another client's invoice", "dc", "invoices.pay", "rival-inv", false,
       Reason::kUnrelatedResource},
      {"002", "l50 View & Approve Estimates: view", "dc", "estimates.view", "est", true, kOk},
      {"002", "l50 View & Approve Estimates: approve", "dc", "estimates.approve", "est", true, kOk},
      {"002", "l50 approve applies to estimates only", "dc", "estimates.approve", "inv", false,
       Reason::kWrongResourceType},
      {"002", "l52 View Work Orders", "dc", "work_orders.view", "wo", true, kOk},
      {"002", "l54 View Appointments", "dc", "appointments.view", "appt", true, kOk},
      {"002", "l56 Statement", "dc", "statement.view", "", true, kOk},
      {"002", "not in the list: tasks", "dc", "tasks.view.current", "job", false, Reason::kCapabilityMissing},
  });
  EXPECT_TRUE(w.SeesNote("dc", "shared").allowed);                           // l46 "Share with Client"
  EXPECT_EQ(w.SeesNote("dc", "not-shared").reason, Reason::kNoteInternal);  // not ticked
}

TEST_F(DaftraList, DisableClientOnlineAccess) {
  // 002 l13: "no permissions will be available to them".
  ChangeSettings off;
  off.portal_enabled = false;
  w.Do(off);
  for (const char* cap : {"profile.view", "statement.view"}) {
    EXPECT_EQ(w.Can("dc", cap).reason, Reason::kPortalDisabled) << cap;
  }
  EXPECT_EQ(w.Can("dc", "invoices.view", "inv").reason, Reason::kPortalDisabled);
  EXPECT_EQ(w.SeesNote("dc", "shared").reason, Reason::kPortalDisabled);
}

TEST_F(DaftraList, EnableClientRegistration) {
  // 002 l29: a provider setting, recorded with the others.
  ChangeSettings open;
  open.self_registration = schema::SelfRegistration::Open;
  w.Do(open);
  EXPECT_EQ(w.state().settings.self_registration, schema::SelfRegistration::Open);
}

// -- Seed 003: Autotask standard Client Portal security levels -------------------------------

class AutotaskLevels : public ::testing::Test {
 protected:
  void SetUp() override {
    w.Org("corp");
    w.Org("corp-east", schema::OrgKind::Client, "corp");
    w.User("basic", "corp", "portal-basic");
    w.User("adv", "corp", "portal-advanced");
    w.User("mgr", "corp", "portal-manager");
    w.User("east", "corp-east", "portal-basic");
    w.Task("t-basic", "corp", ResourceStatus::Current, "basic");
    w.Task("t-adv", "corp", ResourceStatus::Current, "adv");
    w.Task("t-east", "corp-east", ResourceStatus::Current, "east");
    w.Task("t-recurring", "corp", ResourceStatus::Periodic, "basic");
    w.Resource("dev", ResourceType::Device, "corp");
    w.Resource("dev-east", ResourceType::Device, "corp-east");
    w.Resource("proj", ResourceType::Project, "corp");
    w.Resource("inv", ResourceType::Invoice, "corp");
    w.Resource("inv-east", ResourceType::Invoice, "corp-east");
  }
  World w;
};

TEST_F(AutotaskLevels, EveryCell) {
  const Reason kMissing = Reason::kCapabilityMissing;
  const Reason kScope = Reason::kOutOfScope;
  CheckRows(w, {
      {"003", "l17 Basic: raise tickets", "basic", "tasks.create", "", true, kOk},
      {"003", "l17 Basic: its own tickets", "basic", "tasks.view.current", "t-basic", true, kOk, Scope::kContact},
      {"003", "l17 Basic: a colleague's ticket", "basic", "tasks.view.current", "t-adv", false, kScope},
      {"003", "l17 Basic: recurring tickets", "basic", "tasks.view.periodic", "t-recurring", false, kMissing},
      {"003", "l32-38 Basic: devices", "basic", "devices.view", "dev", false, kMissing},
      {"003", "l3 Basic: its profile", "basic", "profile.update", "", true, kOk},
      {"003", "l2-3 Basic: manage users", "basic", "users.manage", "", false, kMissing},
      {"003", "l17 Advanced: the organisation's tickets", "adv", "tasks.view.current", "t-basic", true, kOk,
       Scope::kOrg},
      {"003", "l5 Advanced: a sub-organisation's ticket", "adv", "tasks.view.current", "t-east", false, kScope},
      {"003", "l17 Advanced: recurring tickets", "adv", "tasks.view.periodic", "t-recurring", true, kOk},
      {"003", "l32-38 Advanced: devices", "adv", "devices.view", "dev", true, kOk},
      {"003", "l3 Advanced: projects", "adv", "projects.view", "proj", true, kOk},
      {"003", "l17 Advanced: invoices", "adv", "invoices.view", "inv", false, kMissing},
      {"003", "l2-3 Advanced: manage users", "adv", "users.manage", "", false, kMissing},
      {"003", "l5, l24 Manager: a sub-organisation's ticket", "mgr", "tasks.view.current", "t-east", true, kOk,
       Scope::kOrgTree},
      {"003", "l32-38 Manager: a sub-organisation's device", "mgr", "devices.view", "dev-east", true, kOk},
      {"003", "l17 Manager: invoices, sub-organisations included", "mgr", "invoices.view", "inv-east", true, kOk},
      {"003", "l2-3 Manager: manage users", "mgr", "users.manage", "", true, kOk},
      {"003", "l5 the sub-organisation's user does not see its parent's", "east", "tasks.view.current", "t-basic",
       false, Reason::kUnrelatedResource},
  });
}

TEST_F(AutotaskLevels, ProviderControlsWhichLevelsMayBeAssigned) {
  // 003 l44: "We control which standard security levels you can assign".
  w.Do(SetAllowedLevels{OrgId("corp"), {LevelId("portal-basic"), LevelId("portal-advanced")}});
  CreateUser c;
  c.user_id = UserId("new");
  c.org_id = OrgId("corp");
  c.username = "new@corp.example";
  c.level = LevelId("portal-manager");
  const Status st = w.Try(c);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(), "level 'portal-manager' is not allowed for organisation 'corp'");
  c.level = LevelId("portal-advanced");
  EXPECT_TRUE(w.Try(c).ok());
}

}  // namespace
}  // namespace portico::domain
