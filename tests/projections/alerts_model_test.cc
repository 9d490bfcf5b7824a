// The alerts read model against the access read model: every cast user is subscribed to every
// alert kind (through a staff alert set, in portal and by e-mail); then, event by event over
// the shared scenario, a user gets an alert exactly when the access model, at that event's
// position, lets it see the resource (or note) the event is about.
#include <gtest/gtest.h>

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

TEST(AlertsModelTest, AlertsExactlyWhatTheAccessModelShows) {
  World w;
  w.Do(domain::DefineAlertSet{"all", "Everything", Everything()});
  testing::BuildScenario(w, 0);  // the organisations and the cast, nothing else yet
  for (const auto& user : Cast::kUsers) w.Do(domain::AssignAlertSets{domain::UserId(user), {"all"}});
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
  w.Task("t1", "acme", ResourceStatus::Current);                                 // resource_updated
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
