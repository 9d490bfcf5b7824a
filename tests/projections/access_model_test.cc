#include "projections/access_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <set>

#include "domain/catalogue.h"
#include "projections/feed.h"
#include "projections/state_digest.h"

namespace portico::projections {
namespace {

using testing::BuildScenario;
using testing::CatchUp;
using testing::Cast;
using testing::World;

class AccessModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BuildScenario(world_);
    CatchUp(model_, world_.log);
  }

  // The brute force: every resource of the state, filtered with CanSeeResource.
  std::set<std::string> Expected(const std::string& user, const ResourceFilter& filter) const {
    std::set<std::string> out;
    const domain::AccessState& s = world_.state();
    const domain::User* u = s.FindUser(user);
    for (const domain::Resource& r : s.resources) {
      if (filter.Matches(r.type, r.status) && domain::CanSeeResource(s, *u, r, world_.now).allowed) out.insert(r.id.value());
    }
    return out;
  }

  std::set<std::string> Listed(const std::string& user, const ResourceFilter& filter) const {
    std::set<std::string> out;
    std::string previous;
    for (const domain::Resource& r : model_.ListVisibleResources(domain::UserId(user), filter, world_.now)) {
      EXPECT_LT(previous, r.id.value()) << "sorted, no duplicates";
      previous = r.id.value();
      out.insert(r.id.value());
    }
    return out;
  }

  World world_;
  AccessModel model_;
};

TEST_F(AccessModelTest, ChecksMatchTheDomainOnTheSameState) {
  const auto& s = world_.state();
  int allowed = 0, total = 0;
  for (const std::string& user : Cast::kUsers) {
    for (const auto& info : domain::Catalogue()) {
      const std::string cap(info.name);
      const auto expected = domain::Check(s, domain::UserId(user), cap, nullptr, world_.now);
      const auto got = model_.Check(domain::UserId(user), cap, nullptr, world_.now);
      EXPECT_EQ(got.allowed, expected.allowed) << user << " " << cap;
      EXPECT_EQ(got.reason, expected.reason) << user << " " << cap;
      EXPECT_EQ(got.detail, expected.detail);
      for (int r = 0; r < 300; r += 13) {
        const domain::ResourceId rid("r" + std::to_string(r));
        const auto e = domain::Check(s, domain::UserId(user), cap, &rid, world_.now);
        const auto g = model_.Check(domain::UserId(user), cap, &rid, world_.now);
        EXPECT_EQ(g.allowed, e.allowed) << user << " " << cap << " " << rid.value();
        EXPECT_EQ(g.reason, e.reason);
        EXPECT_EQ(g.scope, e.scope);
        allowed += g.allowed;
        ++total;
      }
    }
  }
  EXPECT_GT(allowed, 50) << "the scenario should allow a fair share of " << total;
  const domain::ResourceId missing("nope");
  EXPECT_EQ(model_.Check(domain::UserId("alice"), "quotes.view", &missing, world_.now).reason,
            domain::Reason::kUnknownResource);
  EXPECT_EQ(model_.Check(domain::UserId("nobody"), "quotes.view", nullptr, world_.now).reason,
            domain::Reason::kUnknownUser);
}

TEST_F(AccessModelTest, ListingsAreExactlyTheVisibleResources) {
  std::vector<ResourceFilter> filters = {ResourceFilter{}};
  for (int t = 0; t < 11; ++t) filters.push_back(ResourceFilter::Of(static_cast<schema::ResourceType>(t), std::nullopt));
  for (int st = 0; st < 3; ++st) {
    filters.push_back(ResourceFilter::Of(std::nullopt, static_cast<schema::ResourceStatus>(st)));
    filters.push_back(ResourceFilter::Of(schema::ResourceType::Task, static_cast<schema::ResourceStatus>(st)));
  }
  for (const std::string& user : Cast::kUsers) {
    for (const ResourceFilter& f : filters) {
      EXPECT_EQ(Listed(user, f), Expected(user, f)) << user << " types " << f.types << " statuses " << int(f.statuses);
    }
  }
  // The scenario exercises each path: sub-organisations, contractors by business and by
  // assignment alone.
  EXPECT_FALSE(Expected("alice", {}).empty());
  EXPECT_FALSE(Expected("carol", {}).empty());
  EXPECT_FALSE(Expected("erin", {}).empty());
  EXPECT_FALSE(Expected("dave", {}).empty());
  EXPECT_TRUE(Expected("pat", {}).empty());
  bool alice_sees_east = false, erin_by_assignment_only = false;
  for (const std::string& id : Expected("alice", {})) {
    alice_sees_east |= world_.state().FindResource(id)->org.value() == "acme-east";
  }
  for (const std::string& id : Expected("erin", {})) {
    const auto* r = world_.state().FindResource(id);
    erin_by_assignment_only |= r->assigned_org.value().empty();
  }
  EXPECT_TRUE(alice_sees_east);
  EXPECT_TRUE(erin_by_assignment_only);
}

TEST_F(AccessModelTest, AnOrgContactNeverListsOrGetsAnotherOrgsResources) {
  for (const std::string user : {"alice", "bob", "hank", "carol"}) {
    for (const domain::Resource& r : model_.ListVisibleResources(domain::UserId(user), {}, world_.now)) {
      EXPECT_TRUE(r.org.value() == "acme" || r.org.value() == "acme-east") << user << " lists " << r.id.value();
    }
  }
  for (const domain::Resource& r : world_.state().resources) {
    const std::string& id = r.id.value();
    if (r.org.value() != "globex") continue;
    for (const std::string user : {"alice", "bob", "hank", "carol", "ivan"}) {
      EXPECT_FALSE(model_.GetVisibleResource(domain::UserId(user), r.id, world_.now)) << user << " gets " << id;
      EXPECT_FALSE(model_.VisibleNotes(domain::UserId(user), r.id, world_.now)) << user << " notes of " << id;
    }
  }
}

TEST_F(AccessModelTest, GetAndNotesFollowTheDomain) {
  const auto& s = world_.state();
  int notes_seen = 0;
  for (const std::string& user : Cast::kUsers) {
    const domain::User* u = s.FindUser(user);
    for (const domain::Resource& r : s.resources) {
      const std::string& id = r.id.value();
      const bool visible = domain::CanSeeResource(s, *u, r, world_.now).allowed;
      const auto got = model_.GetVisibleResource(u->id, r.id, world_.now);
      ASSERT_EQ(got.has_value(), visible) << user << " " << id;
      if (visible) {
        EXPECT_EQ(*got, r);
      }
      const auto notes = model_.VisibleNotes(u->id, r.id, world_.now);
      ASSERT_EQ(notes.has_value(), visible);
      if (!visible) continue;
      std::vector<std::string> expected;
      if (const auto it = s.notes_by_resource.find(id); it != s.notes_by_resource.end()) {
        for (const std::string& n : it->second) {
          if (domain::CanSeeNote(s, *u, *s.FindNote(n), world_.now).allowed) expected.push_back(n);
        }
      }
      std::vector<std::string> listed;
      for (const domain::Note& n : *notes) listed.push_back(n.id.value());
      EXPECT_EQ(listed, expected) << user << " " << id;
      notes_seen += static_cast<int>(listed.size());
    }
  }
  EXPECT_GT(notes_seen, 10);
  EXPECT_FALSE(model_.GetVisibleResource(domain::UserId("alice"), domain::ResourceId("nope"), world_.now));
}

TEST_F(AccessModelTest, ChangesReachListingsAtOnce) {
  // Moving a resource into globex takes it out of acme's listings.
  const domain::Resource* r0 = nullptr;
  for (const domain::Resource& r : model_.ListVisibleResources(domain::UserId("alice"), {}, world_.now)) {
    if (r.assigned_users.empty()) r0 = world_.state().FindResource(r.id.value());
  }
  ASSERT_NE(r0, nullptr);
  const std::string id = r0->id.value();
  world_.Resource(id, r0->type, "globex", r0->status);
  CatchUp(model_, world_.log);
  EXPECT_FALSE(model_.GetVisibleResource(domain::UserId("alice"), domain::ResourceId(id), world_.now));
  EXPECT_EQ(Listed("alice", {}), Expected("alice", {}));
  EXPECT_EQ(Listed("gina", {}), Expected("gina", {}));
  // Reassigning a contractor's task to someone else takes it out of its listing.
  world_.Task("t-erin", "globex", schema::ResourceStatus::Current, "", {"erin"});
  CatchUp(model_, world_.log);
  EXPECT_TRUE(Listed("erin", {}).contains("t-erin"));
  world_.Task("t-erin", "globex", schema::ResourceStatus::Current, "", {"fred"});
  CatchUp(model_, world_.log);
  EXPECT_FALSE(Listed("erin", {}).contains("t-erin"));
  EXPECT_TRUE(Listed("fred", {}).contains("t-erin"));
  EXPECT_EQ(Listed("erin", {}), Expected("erin", {}));
  // Disabling the organisation empties its users' listings.
  world_.Do(domain::SetOrgAccess{domain::OrgId("acme"), schema::AccessMode::Disabled});
  CatchUp(model_, world_.log);
  EXPECT_TRUE(Listed("alice", {}).empty());
  EXPECT_TRUE(Listed("carol", {}).empty()) << "a disabled parent disables its sub-organisations";
}

TEST_F(AccessModelTest, RefusesAnyPositionButTheNextWithoutChange) {
  const std::string digest = model_.Digest();
  const Position at = model_.applied();
  world_.Org("late");
  const auto& envelopes = world_.log.envelopes();
  auto last = schemas::VerifyEnvelope(envelopes.back());
  ASSERT_TRUE(last.ok());
  // A gap, a repeat, and an envelope whose own position is not the one given.
  EXPECT_EQ(model_.Apply(**last, Position(at.value() + 2)).code(), StatusCode::kFailedPrecondition);
  auto again = schemas::VerifyEnvelope(envelopes[at.value() - 1]);
  EXPECT_EQ(model_.Apply(**again, at).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(model_.Apply(**again, Position(at.value() + 1)).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(model_.applied(), at);
  EXPECT_EQ(model_.Digest(), digest);
  CatchUp(model_, world_.log);
  EXPECT_NE(model_.Digest(), digest);
}

TEST_F(AccessModelTest, ARestartRebuildsTheSameModel) {
  AccessModel restarted;
  CatchUp(restarted, world_.log);
  EXPECT_EQ(restarted.applied(), model_.applied());
  EXPECT_EQ(restarted.Digest(), model_.Digest());
  // And it is the domain's own fold of the same log.
  EXPECT_EQ(model_.Digest(), schemas::HexEncode(DigestAccessState(world_.state())));
  // Order of insertion does not matter to the digest; content does.
  auto replayed = world_.log.Replay();
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(DigestAccessState(*replayed), DigestAccessState(world_.state()));
  replayed->users.Find("bob")->display_name = "Robert";
  EXPECT_NE(DigestAccessState(*replayed), DigestAccessState(world_.state()));
}

// ExpectEvents only sizes tables: the same log gives the same model and the same answers.
TEST_F(AccessModelTest, AModelToldToExpectEventsBuildsTheSameModel) {
  AccessModel sized;
  sized.ExpectEvents(world_.log.envelopes().size());
  CatchUp(sized, world_.log);
  EXPECT_EQ(sized.Digest(), model_.Digest());
  for (const auto& user : Cast::kUsers) {
    const auto listed = sized.ListVisibleResources(domain::UserId(user), ResourceFilter{}, world_.now);
    EXPECT_EQ(listed, model_.ListVisibleResources(domain::UserId(user), ResourceFilter{}, world_.now)) << user;
  }
}

TEST(AccessModelConcurrency, QueriesDuringApplySeeWholeEvents) {
  World world;
  BuildScenario(world, 100);
  for (int i = 0; i < 200; ++i) {
    world.Task("late" + std::to_string(i), "acme", schema::ResourceStatus::Current, "bob");
  }
  AccessModel model;
  std::atomic<bool> done{false};
  std::atomic<int> answers{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      // The log only adds resources, so what bob sees only grows, and the position read
      // with the state never goes back.
      std::size_t last_listed = 0;
      std::uint64_t last_position = 0;
      while (!done.load()) {
        const auto listed = model.ListVisibleResources(domain::UserId("bob"), {}, world.now);
        EXPECT_GE(listed.size(), last_listed);
        last_listed = listed.size();
        const auto position = model.Read([](const AccessIndex& index) { return index.state().position; });
        EXPECT_GE(position, last_position);
        EXPECT_LE(position, model.applied().value());
        last_position = position;
        model.Check(domain::UserId("alice"), "quotes.view", nullptr, world.now);
        answers.fetch_add(1);
      }
    });
  }
  while (answers.load() < 2) std::this_thread::yield();
  for (std::uint64_t p = 100; p < world.log.position() + 100; p += 100) {  // interleave with the readers
    CatchUp(model, world.log, Position(p));
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  done.store(true);
  for (auto& r : readers) r.join();
  EXPECT_EQ(model.applied().value(), world.log.position());
  EXPECT_EQ(model.Digest(), schemas::HexEncode(DigestAccessState(world.state())));
}

TEST_F(AccessModelTest, ReadRunsUnderTheLockOverTheState) {
  const auto users = model_.Read([](const AccessIndex& index) { return index.state().users.size(); });
  EXPECT_EQ(users, Cast::kUsers.size());
  const Position p = model_.Read([](const AccessIndex& index) { return Position(index.state().position); });
  EXPECT_EQ(p, model_.applied());
}

}  // namespace
}  // namespace portico::projections
