// A log with every one of the 20 event types, caused by several actors (staff, portal users,
// a system component, staff acting on behalf of a portal user), a minute apart.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "projections/feed.h"

namespace portico::projections::testing {

class AuditWorld {
 public:
  World w;

  void Run(const domain::Command& c, schema::ActorKind kind, const std::string& actor,
           const std::string& on_behalf_of = "") {
    schemas::EventMeta meta;
    meta.actor_kind = kind;
    meta.actor_id = actor;
    meta.on_behalf_of = on_behalf_of;
    auto r = w.log.Execute(c, w.now, meta);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    w.now += kMinute;
  }
  void Staff(const domain::Command& c, const std::string& who = "admin") { Run(c, schema::ActorKind::Staff, who); }

  // Appends one event as it is (no command decides it).
  void Event(domain::DomainEvent event, schema::ActorKind kind = schema::ActorKind::Staff,
             const std::string& actor = "admin") {
    schemas::EventMeta meta;
    meta.actor_kind = kind;
    meta.actor_id = actor;
    const Status st = w.log.Append({std::move(event)}, w.now, meta);
    EXPECT_TRUE(st.ok()) << st.ToString();
    w.now += kMinute;
  }

  void Build() {
    using namespace domain;
    using schema::ActorKind;
    for (const char* org : {"acme", "globex"}) {
      Staff(RegisterOrg{OrgId(org), std::string("Org ") + org, schema::OrgKind::Client, OrgId()});
      Staff(SetOrgAccess{OrgId(org), schema::AccessMode::Enabled});
    }
    Staff(RegisterOrg{OrgId("acme-east"), "Acme East", schema::OrgKind::Client, OrgId("acme")});
    Staff(SetOrgAccess{OrgId("acme-east"), schema::AccessMode::Enabled});
    Staff(RegisterOrg{OrgId("sparky"), "Sparky", schema::OrgKind::Contractor, OrgId()});
    Staff(SetOrgAccess{OrgId("sparky"), schema::AccessMode::Enabled});
    Staff(DefineLevel{LevelId("viewer"), "Viewer", {{"quotes.view", ""}, {"tasks.view.current", "org_tree"}}});
    Staff(SetAllowedLevels{OrgId("acme"), {LevelId("portal-manager"), LevelId("client-base"), LevelId("viewer")}});
    Staff(ChangeSettings{}, "owner");
    User("alice", "acme", "portal-manager");
    User("bob", "acme", "client-base");
    User("carol", "acme-east", "client-manager");
    User("gina", "globex", "client-manager");
    User("dave", "sparky", "contractor-manager", schema::UserType::Contractor);

    Run(Login{"alice", true, SessionId("s-alice"), domain::testing::TokenHash(1), UserId("alice"), domain::testing::kHash},
        ActorKind::PortalUser, "alice");
    Run(LoginAsUser{UserId("gina"), "support", SessionId("s-gina"), domain::testing::TokenHash(2)}, ActorKind::Staff,
        "support");
    for (int i = 0; i < 5; ++i) {  // LoginFailed x5, UserLockedOut
      Run(Login{"bob", false, SessionId("s-bob" + std::to_string(i)), domain::testing::TokenHash(3)},
          ActorKind::PortalUser, "bob");
    }
    Upsert("r1", "acme", "bob", {}, "");
    Upsert("r2", "globex", "gina", {}, "");
    Upsert("r3", "acme-east", "", {"dave"}, "sparky");
    Upsert("r1", "globex", "", {}, "");  // r1 moves from acme to globex
    Upsert("r1", "acme", "alice", {}, "");  // and back
    Staff(ShareNote{NoteId("n1"), ResourceId("r1"), "Staff note with \"quotes\"\nand a line", schema::NoteVisibility::Client,
                    UserId()});
    // gina's impersonated session: the events name gina as actor and support on behalf.
    Run(ShareNote{NoteId("n2"), ResourceId("r2"), "from the client", schema::NoteVisibility::Client, UserId("gina")},
        ActorKind::PortalUser, "gina", "support");
    Staff(ChangeNoteVisibility{NoteId("n1"), schema::NoteVisibility::Internal});
    Staff(GrantPermission{UserId("bob"), "quotes.view", "", 0});
    Staff(RevokePermission{UserId("bob"), "quotes.view"});
    Staff(ChangeUserLevel{UserId("bob"), LevelId("viewer")});
    Run(SetPassword{UserId("alice"), NewPassword{"another fine password", domain::testing::kHash}, false, SessionId()},
        ActorKind::PortalUser, "alice");
    Staff(ForcePasswordReset{UserId("carol")});
    Staff(SetLoginEnabled{UserId("bob"), false});
    Staff(ArchiveUser{UserId("gina")}, "support");
    Staff(SetOrgAccess{OrgId("acme"), schema::AccessMode::Restricted});
  }

  // After Build(): one event of each portal-workflow type (workflow_events.fbs,
  // alert_events.fbs) on the stream the domain puts it on, appended as it is, so that the log
  // has every event type.
  void AddWorkflowEvents() {
    using domain::MakeEvent;
    schema::RegistrationCodeSetT code;
    code.org_id = "acme";
    code.code_hash = "c0de";
    code.level = "viewer";
    Event(MakeEvent(domain::OrgStream("acme"), std::move(code)));
    schema::RegistrationRequestedT asked;
    asked.user_id = "rita";
    asked.org_id = "globex";
    asked.username = "rita";
    Event(MakeEvent("registration:rita", std::move(asked)), schema::ActorKind::System, "portal");
    schema::RegistrationDecidedT decided;
    decided.user_id = "rita";
    decided.reason = "unknown to the organisation";
    Event(MakeEvent("registration:rita", std::move(decided)));
    schema::ImportRowsRecordedT rows;
    rows.import_id = "i1";
    rows.accepted.push_back(std::make_unique<schema::ImportedRowT>());
    rows.accepted.back()->row = 1;
    rows.accepted.back()->user_id = "ivy";
    Event(MakeEvent("import:i1", std::move(rows)));
    schema::UsersImportedT imported;
    imported.import_id = "i1";
    imported.org_id = "acme-east";
    Event(MakeEvent("import:i1", std::move(imported)));
    schema::PortalRequestSubmittedT request;
    request.request_id = "q1";
    request.user_id = "carol";
    request.org_id = "acme-east";
    Event(MakeEvent("request:q1", std::move(request)), schema::ActorKind::PortalUser, "carol");
    schema::EstimateApprovedT estimate;
    estimate.resource_id = "r2";
    estimate.user_id = "gina";
    Event(MakeEvent(domain::ResourceStream("r2"), std::move(estimate)), schema::ActorKind::PortalUser, "gina");
    schema::PaymentIntentRecordedT payment;
    payment.intent_id = "p1";
    payment.resource_id = "r3";
    payment.user_id = "carol";
    Event(MakeEvent(domain::ResourceStream("r3"), std::move(payment)), schema::ActorKind::PortalUser, "carol");
    schema::ContactDetailsUpdatedT contact;
    contact.user_id = "bob";
    contact.phone = "555";
    Event(MakeEvent(domain::UserStream("bob"), std::move(contact)), schema::ActorKind::PortalUser, "bob");
    schema::AlertSetDefinedT set;
    set.alert_set_id = "a1";
    set.name = "Everything";
    Event(MakeEvent(domain::AlertSetStream("a1"), std::move(set)));
    schema::UserAlertSetsAssignedT assigned;
    assigned.user_id = "alice";
    assigned.alert_set_ids = {"a1"};
    Event(MakeEvent(domain::UserStream("alice"), std::move(assigned)));
    schema::AlertSubscriptionsSetT subscriptions;
    subscriptions.user_id = "alice";
    Event(MakeEvent(domain::UserStream("alice"), std::move(subscriptions)), schema::ActorKind::PortalUser, "alice");
    schema::AlertsMarkedReadT read;
    read.user_id = "dave";
    read.alert_ids = {"x1"};
    Event(MakeEvent(domain::UserStream("dave"), std::move(read)), schema::ActorKind::PortalUser, "dave");
    schema::PasswordResetRequestedT reset;
    reset.user_id = "carol";
    reset.token_hash.assign(32, 7);
    reset.expires_at_us = w.now + 60 * kMinute;
    Event(MakeEvent(domain::UserStream("carol"), std::move(reset)), schema::ActorKind::System, "portal");
    schema::PasswordResetCompletedT completed;
    completed.user_id = "carol";
    completed.token_hash.assign(32, 7);
    Event(MakeEvent(domain::UserStream("carol"), std::move(completed)), schema::ActorKind::System, "portal");
    schema::LoginDetailsSentT sent;
    sent.user_id = "gina";
    sent.email = "gina@example.com";
    Event(MakeEvent(domain::UserStream("gina"), std::move(sent)));
  }

 private:
  void User(const std::string& id, const std::string& org, const std::string& level,
            schema::UserType type = schema::UserType::Active) {
    domain::CreateUser c;
    c.user_id = domain::UserId(id);
    c.org_id = domain::OrgId(org);
    c.username = id;
    c.display_name = "User " + id;
    c.email = id + "@example.com";
    c.user_type = type;
    c.level = domain::LevelId(level);
    c.password = domain::NewPassword{"correct horse battery", domain::testing::kHash};
    Staff(c);
  }
  void Upsert(const std::string& id, const std::string& org, const std::string& contact,
              const std::vector<std::string>& assigned, const std::string& assigned_org) {
    domain::UpsertResource c;
    c.resource_id = domain::ResourceId(id);
    c.type = schema::ResourceType::Task;
    c.org_id = domain::OrgId(org);
    c.title = "Task " + id;
    c.contact_user_id = domain::UserId(contact);
    for (const auto& u : assigned) c.assigned_user_ids.emplace_back(u);
    c.assigned_org_id = domain::OrgId(assigned_org);
    Run(c, schema::ActorKind::System, "erp-sync");
  }
};

}  // namespace portico::projections::testing
