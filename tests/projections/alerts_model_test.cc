// The alerts read model against the access read model: every cast user is subscribed to every
// alert kind (through a staff alert set, in portal and by e-mail); then, event by event over
// the shared scenario, a user gets an alert exactly when the access model, at that event's
// position, lets it see the resource (or note) the event is about.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "feed.h"
#include "projections/access_model.h"
#include "projections/alerts_model.h"

namespace portico::projections {
namespace {

using testing::Cast;
using testing::World;

class CollectingSink : public NotificationSink {
 public:
  void Deliver(std::vector<MailIntent> mails, Position position) override {
    for (auto& m : mails) by_position[position.value()].push_back(std::move(m));
  }
  std::map<std::uint64_t, std::vector<MailIntent>> by_position;
};

std::vector<domain::AlertSubscriptionEntry> Everything() {
  std::vector<domain::AlertSubscriptionEntry> out;
  for (auto kind : domain::kAlertKinds) out.push_back({std::string(kind), true, true});
  return out;
}

// Assigns the sets through the command, except to passive users, which Decide refuses. Those
// get the event itself, as a log written before that rule holds it: the model must still
// never alert them.
void AssignAlertSets(World& w, const std::string& user, std::vector<std::string> sets) {
  if (w.state().FindUser(user)->type != schema::UserType::Passive) {
    w.Do(domain::AssignAlertSets{domain::UserId(user), std::move(sets)});
    return;
  }
  schema::UserAlertSetsAssignedT assigned;
  assigned.user_id = user;
  assigned.alert_set_ids = std::move(sets);
  ASSERT_TRUE(w.log.Append({domain::MakeEvent(domain::UserStream(user), std::move(assigned))}, w.now).ok());
  ASSERT_TRUE(w.state().alerting.ChannelsFor(user, "note_added").any());
}

TEST(AlertsModelTest, AlertsExactlyWhatTheAccessModelShows) {
  World w;
  w.Do(domain::DefineAlertSet{"all", "Everything", Everything()});
  testing::BuildScenario(w, 0);  // the organisations and the cast, nothing else yet
  for (const auto& user : Cast::kUsers) AssignAlertSets(w, user, {"all"});
  const std::size_t before = w.log.envelopes().size();
  // Resources of every type and status over the organisations, some with contacts and
  // assignments, then notes of every visibility, status changes, sharing and a revocation.
  const std::vector<std::string> orgs = {"acme", "acme-east", "globex", "initech", "sparky"};
  const std::vector<std::string> contacts = {"bob", "carol", "gina", "ivan", "dave"};
  for (int i = 0; i < 120; ++i) {
    const std::size_t o = static_cast<std::size_t>(i * 7) % orgs.size();
    const auto type = static_cast<schema::ResourceType>(i % 11);
    const auto status = static_cast<schema::ResourceStatus>((i / 11) % 3);
    std::vector<std::string> assigned;
    if (i % 4 == 0) assigned = {"erin"};
    w.Resource("r" + std::to_string(i), type, orgs[o], status, i % 3 == 0 ? contacts[o] : "", assigned,
               i % 8 == 0 ? "sparky" : "");
  }
  for (int i = 0; i < 120; i += 5) {
    const std::string r = "r" + std::to_string(i);
    w.Note("n" + std::to_string(i) + "-internal", r, schema::NoteVisibility::Internal);
    w.Note("n" + std::to_string(i) + "-client", r, schema::NoteVisibility::Client);
    w.Note("n" + std::to_string(i) + "-contractor", r, schema::NoteVisibility::Contractor);
  }
  w.now += testing::kMinute;
  w.Task("r0", "acme", schema::ResourceStatus::Completed);
  w.Do(domain::ChangeNoteVisibility{domain::NoteId("n0-internal"), schema::NoteVisibility::Client});
  w.Do(domain::RevokePermission{domain::UserId("alice"), "tasks.view.current"});
  w.Do(domain::SetOrgAccess{domain::OrgId("globex"), schema::AccessMode::Disabled});
  for (int i = 0; i < 120; i += 3) {
    w.Resource("r" + std::to_string(i), static_cast<schema::ResourceType>(i % 11),
               orgs[static_cast<std::size_t>(i * 7) % orgs.size()], schema::ResourceStatus::Current);
  }

  AccessModel access;
  CollectingSink sink;
  AlertsModel alerts(access, &sink);
  std::map<std::string, std::size_t> seen;  // alerts per user so far
  int checked = 0;
  for (std::size_t i = 0; i < w.log.envelopes().size(); ++i) {
    const Position p(i + 1);
    auto env = schemas::VerifyEnvelope(w.log.envelopes()[i]);
    ASSERT_TRUE(env.ok());
    ASSERT_TRUE(access.Apply(**env, p).ok());
    ASSERT_TRUE(alerts.Apply(**env, p).ok());
    if (i < before) continue;
    const auto type = (*env)->body_type();
    std::string resource, note;
    if (type == schema::EventBody::ResourceUpserted) resource = (*env)->body_as_ResourceUpserted()->resource_id()->str();
    if (type == schema::EventBody::NoteShared) note = (*env)->body_as_NoteShared()->note_id()->str();
    if (type == schema::EventBody::NoteVisibilityChanged) note = (*env)->body_as_NoteVisibilityChanged()->note_id()->str();
    if (resource.empty() && note.empty()) continue;
    std::string author;
    if (!note.empty()) {
      const auto* n = w.state().FindNote(note);
      resource = n->resource.value();
      author = n->author.value();
    }
    const std::int64_t at = (*env)->recorded_at_us();
    for (const auto& user : Cast::kUsers) {
      const auto now = alerts.AlertsAfter(user, 0);
      const bool alerted = now.size() > seen[user];
      bool visible = access.GetVisibleResource(domain::UserId(user), domain::ResourceId(resource), at).has_value();
      if (visible && !note.empty()) {
        visible = false;
        const auto notes = access.VisibleNotes(domain::UserId(user), domain::ResourceId(resource), at);
        for (const auto& n : *notes) {
          visible = visible || n.id.value() == note;
        }
        if (user == author) visible = false;  // nobody is alerted about its own note
        if (type == schema::EventBody::NoteVisibilityChanged &&
            (*env)->body_as_NoteVisibilityChanged()->visibility() == schema::NoteVisibility::Internal) {
          visible = false;
        }
      }
      EXPECT_EQ(alerted, visible) << user << " at position " << p.value() << " (" << resource << " " << note << ")";
      if (alerted) {
        EXPECT_EQ(now.back().position, p.value());
        // The e-mail twin went to the sink, with a stable id.
        bool mailed = false;
        for (const auto& m : sink.by_position[p.value()]) {
          mailed = mailed || (m.user_id == user && m.notification_id == "alert-" + std::to_string(p.value()) + "-" + user);
        }
        EXPECT_TRUE(mailed || w.state().FindUser(user)->email.empty());
      }
      seen[user] = now.size();
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000);
  EXPECT_GT(seen["alice"], 0u);
  EXPECT_EQ(seen["pat"], 0u);  // passive users see nothing
}

// "task_status_changed" compares a task's status with its status just before the event; the
// other updates are "resource_updated" (alice subscribes to every kind).
TEST(AlertsModelTest, ATaskStatusChangeIsToldApartFromOtherUpdates) {
  World w;
  w.Do(domain::DefineAlertSet{"all", "Everything", Everything()});
  w.Org("acme");
  w.User("alice", "acme", "client-manager");
  w.Do(domain::AssignAlertSets{domain::UserId("alice"), {"all"}});
  using schema::ResourceStatus;
  using schema::ResourceType;
  w.Task("t1", "acme", ResourceStatus::Current);                                 // resource_added
  w.Task("t1", "acme", ResourceStatus::Current, "alice");                        // resource_updated
  w.Task("t1", "acme", ResourceStatus::Completed);                               // task_status_changed
  w.Resource("t1", ResourceType::Quote, "acme", ResourceStatus::Current);        // resource_updated
  // resource_updated: a quote just before (as a task it was last completed)
  w.Task("t1", "acme", ResourceStatus::Current);
  w.Task("t1", "acme", ResourceStatus::Periodic);                                // task_status_changed

  AccessModel access;
  AlertsModel alerts(access);
  for (std::size_t i = 0; i < w.log.envelopes().size(); ++i) {
    auto env = schemas::VerifyEnvelope(w.log.envelopes()[i]);
    ASSERT_TRUE(env.ok());
    ASSERT_TRUE(access.Apply(**env, Position(i + 1)).ok());
    ASSERT_TRUE(alerts.Apply(**env, Position(i + 1)).ok());
  }
  std::vector<std::string> kinds;
  for (const Alert& a : alerts.AlertsAfter("alice", 0)) kinds.push_back(a.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"resource_added", "resource_updated", "task_status_changed",
                                             "resource_updated", "resource_updated", "task_status_changed"}));
}

// Applies the whole log to both models, in order.
void ApplyAll(const World& w, AccessModel& access, AlertsModel& alerts) {
  for (std::size_t i = alerts.applied().value(); i < w.log.envelopes().size(); ++i) {
    auto env = schemas::VerifyEnvelope(w.log.envelopes()[i]);
    ASSERT_TRUE(env.ok());
    ASSERT_TRUE(access.Apply(**env, Position(i + 1)).ok());
    ASSERT_TRUE(alerts.Apply(**env, Position(i + 1)).ok());
  }
}

// A nightly re-sync upserts every resource as it is: nobody is alerted or mailed about that.
TEST(AlertsModelTest, AnUnchangedUpsertAlertsNobody) {
  World w;
  w.Do(domain::DefineAlertSet{"all", "Everything", Everything()});
  w.Org("acme");
  w.ContractorOrg("sparky");
  domain::CreateUser alice;  // with an e-mail address, for the e-mail alerts
  alice.user_id = domain::UserId("alice");
  alice.org_id = domain::OrgId("acme");
  alice.username = "alice";
  alice.display_name = "Alice";
  alice.email = "alice@example.com";
  alice.level = domain::LevelId("client-manager");
  alice.password = domain::NewPassword{"correct horse battery", domain::testing::kHash};
  w.Do(alice);
  w.User("dave", "sparky", "contractor-manager", schema::UserType::Contractor);
  w.Do(domain::AssignAlertSets{domain::UserId("alice"), {"all"}});
  using schema::ResourceStatus;
  using schema::ResourceType;
  w.Task("t1", "acme", ResourceStatus::Current, "alice", {"dave"}, "sparky");  // resource_added
  AccessModel access;
  CollectingSink sink;
  AlertsModel alerts(access, &sink);
  ApplyAll(w, access, alerts);
  ASSERT_EQ(alerts.AlertsAfter("alice", 0).size(), 1u);
  ASSERT_TRUE(sink.by_position.contains(w.log.envelopes().size())) << "the new task was mailed";
  const std::size_t mails = sink.by_position.size();

  w.Task("t1", "acme", ResourceStatus::Current, "alice", {"dave"}, "sparky");  // the same again
  w.Task("t1", "acme", ResourceStatus::Current, "alice", {"dave"}, "sparky");
  ApplyAll(w, access, alerts);
  EXPECT_EQ(alerts.AlertsAfter("alice", 0).size(), 1u) << "no in-portal alert";
  EXPECT_EQ(sink.by_position.size(), mails) << "no mail";

  // Any one field changed is an update again.
  w.Task("t1", "acme", ResourceStatus::Current, "alice", {}, "sparky");  // assigned users
  w.Task("t1", "acme", ResourceStatus::Current, "", {}, "sparky");       // contact
  w.Task("t1", "acme", ResourceStatus::Current, "", {}, "");             // assigned business
  w.Resource("t1", ResourceType::Quote, "acme", ResourceStatus::Current);  // type
  w.Resource("t1", ResourceType::Quote, "acme", ResourceStatus::Completed);  // status
  domain::UpsertResource retitled;
  retitled.resource_id = domain::ResourceId("t1");
  retitled.type = ResourceType::Quote;
  retitled.org_id = domain::OrgId("acme");
  retitled.title = "Boiler service";
  retitled.status = ResourceStatus::Completed;
  w.Do(retitled);
  ApplyAll(w, access, alerts);
  EXPECT_EQ(alerts.AlertsAfter("alice", 0).size(), 7u);
  EXPECT_EQ(sink.by_position.size(), mails + 6);
}

// An inbox keeps the newest kMaxInboxAlerts alerts; older ones are dropped, read or not.
TEST(AlertsModelTest, AnInboxKeepsOnlyTheNewestAlerts) {
  World w;
  w.Do(domain::DefineAlertSet{"all", "Everything", Everything()});
  w.Org("acme");
  w.User("alice", "acme", "client-manager");
  w.Do(domain::AssignAlertSets{domain::UserId("alice"), {"all"}});
  const std::size_t over = AlertsModel::kMaxInboxAlerts + 5;
  for (std::size_t i = 0; i < over; ++i) w.Task("t" + std::to_string(i), "acme", schema::ResourceStatus::Current);
  AccessModel access;
  AlertsModel alerts(access);
  ApplyAll(w, access, alerts);

  const auto all = alerts.AlertsAfter("alice", 0);
  ASSERT_EQ(all.size(), AlertsModel::kMaxInboxAlerts);
  EXPECT_EQ(all.front().resource_id, "t5") << "the five oldest were dropped";
  EXPECT_EQ(all.back().resource_id, "t" + std::to_string(over - 1));
  const auto inbox = alerts.InboxOf("alice", /*unread_only=*/false, 10);
  EXPECT_EQ(inbox.total, AlertsModel::kMaxInboxAlerts);
  EXPECT_EQ(inbox.unread, AlertsModel::kMaxInboxAlerts);
  EXPECT_EQ(inbox.alerts.front().resource_id, "t" + std::to_string(over - 1)) << "newest first";
  const std::string dropped = std::to_string(all.front().position - 1);  // t4's, one event earlier
  EXPECT_FALSE(alerts.HasAlert("alice", dropped));
  EXPECT_TRUE(alerts.HasAlert("alice", all.front().alert_id));
}

// The alerts model asks only the users related to a resource (UsersRelatedTo) instead of
// every subscriber: on a mixed world (organisation trees three deep, contractor businesses
// and sub-businesses, assigned users from unrelated businesses, wide grants) everyone who may
// see a resource is among them, and, with everyone subscribed, each event alerts exactly the
// users the brute force over every user finds.
TEST(AlertsModelTest, AsksOnlyRelatedUsersAndAlertsWhomTheBruteForceFinds) {
  World w;
  w.Do(domain::DefineAlertSet{"all", "Everything", Everything()});
  testing::BuildScenario(w, 0);
  w.Org("acme-east-low", schema::OrgKind::Client, "acme-east");
  w.Org("volts", schema::OrgKind::Contractor);
  w.Org("sparky-north-low", schema::OrgKind::Contractor, "sparky-north");
  w.User("lou", "acme-east-low", "client-manager");
  w.User("vic", "volts", "contractor-base", schema::UserType::Contractor);
  w.User("sam", "sparky-north-low", "contractor-manager", schema::UserType::Contractor);
  w.Do(domain::GrantPermission{domain::UserId("carol"), "tasks.view.current", "org_tree", 0});
  std::vector<std::string> users = Cast::kUsers;
  for (const char* more : {"lou", "vic", "sam"}) users.push_back(more);
  std::sort(users.begin(), users.end());
  for (const auto& user : users) AssignAlertSets(w, user, {"all"});
  const std::size_t before = w.log.envelopes().size();

  const std::vector<std::string> orgs = {"acme", "acme-east", "acme-east-low", "globex", "sparky", "volts"};
  const std::vector<std::string> businesses = {"", "sparky", "sparky-north", "sparky-north-low", "volts"};
  const std::vector<std::vector<std::string>> teams = {{}, {"vic"}, {"erin", "sam"}, {"dave"}, {"bob"}};
  for (int i = 0; i < 150; ++i) {
    const auto u = static_cast<std::size_t>(i);
    w.Resource("r" + std::to_string(i), static_cast<schema::ResourceType>(i % 11), orgs[u % orgs.size()],
               static_cast<schema::ResourceStatus>((i / 11) % 3), "", teams[(u / 2) % teams.size()],
               businesses[(u / 3) % businesses.size()]);
    if (i % 10 == 0) w.Note("n" + std::to_string(i), "r" + std::to_string(i), schema::NoteVisibility::Contractor);
  }

  AccessModel access;
  AlertsModel alerts(access);
  int compared = 0;
  for (std::size_t i = 0; i < w.log.envelopes().size(); ++i) {
    const Position p(i + 1);
    auto env = schemas::VerifyEnvelope(w.log.envelopes()[i]);
    ASSERT_TRUE(env.ok());
    ASSERT_TRUE(access.Apply(**env, p).ok());
    ASSERT_TRUE(alerts.Apply(**env, p).ok());
    if (i < before || (*env)->body_type() != schema::EventBody::ResourceUpserted) continue;
    const std::string resource = (*env)->body_as_ResourceUpserted()->resource_id()->str();
    const std::int64_t at = (*env)->recorded_at_us();
    access.Read([&](const AccessIndex& index) {
      const domain::AccessState& s = index.state();
      const domain::Resource& r = *s.FindResource(resource);
      const auto related = UsersRelatedTo(s, r);
      for (const auto& user : users) {
        const bool visible = domain::CanSeeResource(s, *s.FindUser(user), r, at).allowed;
        const bool asked = std::binary_search(related.begin(), related.end(), std::string_view(user));
        EXPECT_TRUE(asked || !visible) << user << " may see " << resource << " but is not asked";
        EXPECT_EQ(!alerts.AlertsAfter(user, i).empty(), visible) << user << " at " << p.value() << " " << resource;
        ++compared;
      }
      return 0;
    });
  }
  EXPECT_EQ(compared, 150 * static_cast<int>(users.size()));
}

TEST(AlertsModelTest, RefusesAnEventTheAccessModelHasNotApplied) {
  World w;
  w.Org("acme");
  AccessModel access;
  AlertsModel alerts(access);
  auto env = schemas::VerifyEnvelope(w.log.envelopes()[0]);
  ASSERT_TRUE(env.ok());
  EXPECT_FALSE(alerts.Apply(**env, Position(1)).ok());
  ASSERT_TRUE(access.Apply(**env, Position(1)).ok());
  EXPECT_TRUE(alerts.Apply(**env, Position(1)).ok());
}

}  // namespace
}  // namespace portico::projections
