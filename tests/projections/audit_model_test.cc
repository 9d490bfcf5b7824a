#include "projections/audit_model.h"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <set>

#include "projections/audit_world.h"

namespace portico::projections {
namespace {

using schema::EventBody;
using testing::AuditWorld;
using testing::CatchUp;

// The oracle: what each event is about, worked out independently from the object API, with
// the rules of audit_model.h.
struct About {
  std::set<std::string> users, orgs, resources, actors;
};

std::vector<About> Oracle(const domain::MemoryLog& log) {
  std::vector<About> out;
  std::map<std::string, std::string> user_org, resource_org, note_resource;
  for (const std::string& bytes : log.envelopes()) {
    const schema::Envelope* e = schema::GetEnvelope(bytes.data());
    schema::EnvelopeT env;
    e->UnPackTo(&env);
    About a;
    auto user = [&](const std::string& id, bool with_org) {
      if (id.empty()) return;
      a.users.insert(id);
      if (with_org && user_org.contains(id)) a.orgs.insert(user_org[id]);
    };
    auto resource = [&](const std::string& id) {
      a.resources.insert(id);
      if (resource_org.contains(id)) a.orgs.insert(resource_org[id]);
    };
    auto org = [&](const std::string& id) {
      if (!id.empty()) a.orgs.insert(id);
    };
    const auto& body = env.body;
    switch (body.type) {
      case EventBody::OrgRegistered: org(body.AsOrgRegistered()->org_id); org(body.AsOrgRegistered()->parent_org_id); break;
      case EventBody::OrgAccessChanged: org(body.AsOrgAccessChanged()->org_id); break;
      case EventBody::OrgAllowedLevelsSet: org(body.AsOrgAllowedLevelsSet()->org_id); break;
      case EventBody::UserCreated:
        user_org[body.AsUserCreated()->user_id] = body.AsUserCreated()->org_id;
        user(body.AsUserCreated()->user_id, true);
        break;
      case EventBody::UserLevelChanged: user(body.AsUserLevelChanged()->user_id, true); break;
      case EventBody::PermissionGranted: user(body.AsPermissionGranted()->user_id, true); break;
      case EventBody::PermissionRevoked: user(body.AsPermissionRevoked()->user_id, true); break;
      case EventBody::PasswordChanged: user(body.AsPasswordChanged()->user_id, true); break;
      case EventBody::PasswordResetForced: user(body.AsPasswordResetForced()->user_id, true); break;
      case EventBody::LoginEnabledChanged: user(body.AsLoginEnabledChanged()->user_id, true); break;
      case EventBody::UserArchived: user(body.AsUserArchived()->user_id, true); break;
      case EventBody::SessionStarted: user(body.AsSessionStarted()->user_id, true); break;
      case EventBody::LoginFailed: user(body.AsLoginFailed()->user_id, true); break;
      case EventBody::UserLockedOut: user(body.AsUserLockedOut()->user_id, true); break;
      case EventBody::SessionEnded: user(body.AsSessionEnded()->user_id, true); break;
      case EventBody::ResourceUpserted: {
        const auto* r = body.AsResourceUpserted();
        resource(r->resource_id);  // with the previous organisation
        resource_org[r->resource_id] = r->org_id;
        org(r->org_id);
        org(r->assigned_org_id);
        user(r->contact_user_id, false);
        for (const auto& u : r->assigned_user_ids) user(u, false);
        break;
      }
      case EventBody::NoteShared:
        note_resource[body.AsNoteShared()->note_id] = body.AsNoteShared()->resource_id;
        resource(body.AsNoteShared()->resource_id);
        user(body.AsNoteShared()->author_user_id, false);
        break;
      case EventBody::NoteVisibilityChanged: resource(note_resource[body.AsNoteVisibilityChanged()->note_id]); break;
      // The portal workflows.
      case EventBody::RegistrationCodeSet: org(body.AsRegistrationCodeSet()->org_id); break;
      case EventBody::RegistrationRequested: {
        const auto* r = body.AsRegistrationRequested();
        user_org.try_emplace(r->user_id, r->org_id);
        user(r->user_id, true);
        org(r->org_id);
        break;
      }
      case EventBody::RegistrationDecided: user(body.AsRegistrationDecided()->user_id, true); break;
      case EventBody::ImportRowsRecorded:
        for (const auto& row : body.AsImportRowsRecorded()->accepted) user(row->user_id, false);
        break;
      case EventBody::UsersImported: org(body.AsUsersImported()->org_id); break;
      case EventBody::PortalRequestSubmitted:
        user(body.AsPortalRequestSubmitted()->user_id, true);
        org(body.AsPortalRequestSubmitted()->org_id);
        break;
      case EventBody::EstimateApproved:
        resource(body.AsEstimateApproved()->resource_id);
        user(body.AsEstimateApproved()->user_id, false);
        break;
      case EventBody::PaymentIntentRecorded:
        resource(body.AsPaymentIntentRecorded()->resource_id);
        user(body.AsPaymentIntentRecorded()->user_id, false);
        break;
      case EventBody::ContactDetailsUpdated: user(body.AsContactDetailsUpdated()->user_id, true); break;
      case EventBody::UserAlertSetsAssigned: user(body.AsUserAlertSetsAssigned()->user_id, true); break;
      case EventBody::AlertSubscriptionsSet: user(body.AsAlertSubscriptionsSet()->user_id, true); break;
      case EventBody::AlertsMarkedRead: user(body.AsAlertsMarkedRead()->user_id, true); break;
      case EventBody::PasswordResetRequested: user(body.AsPasswordResetRequested()->user_id, true); break;
      case EventBody::PasswordResetCompleted: user(body.AsPasswordResetCompleted()->user_id, true); break;
      case EventBody::LoginDetailsSent: user(body.AsLoginDetailsSent()->user_id, true); break;
      default: break;
    }
    // Whatever the type, the user, organisation or resource its stream names.
    const std::string& stream = env.stream_id;
    if (stream.starts_with("user:")) user(stream.substr(5), true);
    if (stream.starts_with("org:")) org(stream.substr(4));
    if (stream.starts_with("resource:")) resource(stream.substr(9));
    if (!env.actor->id.empty()) a.actors.insert(env.actor->id);
    if (!env.on_behalf_of.empty()) a.actors.insert(env.on_behalf_of);
    out.push_back(std::move(a));
  }
  return out;
}

class AuditModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    world_.Build();
    world_.AddWorkflowEvents();
    CatchUp(model_, world_.w.log);
    about_ = Oracle(world_.w.log);
  }

  const schema::Envelope* Env(std::uint64_t p) const { return schema::GetEnvelope(world_.w.log.envelopes()[p - 1].data()); }

  bool Matches(const AuditFilter& f, std::uint64_t p) const {
    const About& a = about_[p - 1];
    const schema::Envelope* e = Env(p);
    return p > f.after.value() && (!f.user_id || a.users.contains(*f.user_id)) &&
           (!f.org_id || a.orgs.contains(*f.org_id)) && (!f.actor || a.actors.contains(*f.actor)) &&
           (!f.resource_id || a.resources.contains(*f.resource_id)) && (!f.type || e->body_type() == *f.type) &&
           (!f.from_us || e->recorded_at_us() >= *f.from_us) && (!f.to_us || e->recorded_at_us() < *f.to_us);
  }

  std::vector<std::uint64_t> Expected(const AuditFilter& f) const {
    std::vector<std::uint64_t> out;
    for (std::uint64_t p = 1; p <= world_.w.log.position(); ++p) {
      if (Matches(f, p)) out.push_back(p);
    }
    return out;
  }

  // Every page of the query, `limit` at a time, following `next`.
  std::vector<std::uint64_t> AllPages(AuditFilter f, std::size_t limit) const {
    std::vector<std::uint64_t> out;
    f.limit = limit;
    for (int pages = 0; pages < 1000; ++pages) {
      const AuditPage page = model_.Query(f);
      EXPECT_LE(page.records.size(), limit);
      for (const AuditRecord& r : page.records) out.push_back(r.position.value());
      if (!page.next) break;
      EXPECT_EQ(*page.next, page.records.back().position);
      f.after = *page.next;
    }
    return out;
  }

  AuditWorld world_;
  AuditModel model_;
  std::vector<About> about_;
};

TEST_F(AuditModelTest, TheLogHasEveryEventType) {
  std::set<EventBody> types;
  for (std::uint64_t p = 1; p <= world_.w.log.position(); ++p) types.insert(Env(p)->body_type());
  EXPECT_EQ(types.size(), static_cast<std::size_t>(EventBody::MAX));
}

TEST_F(AuditModelTest, RecordsCarryTheEnvelopesMetadata) {
  const AuditPage page = model_.Query({.limit = kMaxAuditLimit});
  ASSERT_EQ(page.records.size(), world_.w.log.position());
  EXPECT_FALSE(page.next);
  for (const AuditRecord& r : page.records) {
    const schema::Envelope* e = Env(r.position.value());
    EXPECT_EQ(r.type, e->body_type());
    EXPECT_EQ(r.recorded_at_us, e->recorded_at_us());
    EXPECT_EQ(r.stream, e->stream_id()->str());
    EXPECT_EQ(r.actor, e->actor()->id()->str());
    EXPECT_EQ(r.actor_kind, e->actor()->kind());
    EXPECT_EQ(r.on_behalf_of, e->on_behalf_of()->str());
  }
  EXPECT_EQ(page.records[0].stream, "org:acme");
}

TEST_F(AuditModelTest, EachFilterAloneAndCombinedMatchesTheOracle) {
  std::vector<AuditFilter> filters;
  for (const char* u : {"alice", "bob", "carol", "gina", "dave", "rita", "ivy", "nobody"}) filters.push_back({.user_id = u});
  for (const char* o : {"acme", "acme-east", "globex", "sparky", "nowhere"}) filters.push_back({.org_id = o});
  for (const char* a : {"admin", "owner", "support", "erp-sync", "alice", "gina", "bob"}) filters.push_back({.actor = a});
  for (const char* r : {"r1", "r2", "r3", "r9"}) filters.push_back({.resource_id = r});
  for (int t = 1; t <= static_cast<int>(EventBody::MAX); ++t) filters.push_back({.type = static_cast<EventBody>(t)});
  const std::int64_t t0 = testing::kT0;
  filters.push_back({.from_us = t0 + 10 * testing::kMinute});
  filters.push_back({.to_us = t0 + 10 * testing::kMinute});
  filters.push_back({.from_us = t0 + 20 * testing::kMinute, .to_us = t0 + 30 * testing::kMinute});
  filters.push_back({.org_id = "acme", .type = EventBody::SessionEnded});
  filters.push_back({.user_id = "gina", .actor = "support"});
  filters.push_back({.org_id = "globex", .resource_id = "r1"});
  filters.push_back({.org_id = "acme", .actor = "admin", .from_us = t0 + 5 * testing::kMinute,
                     .to_us = t0 + 40 * testing::kMinute});
  filters.push_back({.user_id = "bob", .type = EventBody::LoginFailed, .after = Position(20)});
  int nonempty = 0;
  for (const AuditFilter& f : filters) {
    const auto expected = Expected(f);
    nonempty += !expected.empty();
    EXPECT_EQ(AllPages(f, kMaxAuditLimit), expected);
    EXPECT_EQ(AllPages(f, 3), expected) << "pages of 3 cover every match once, in order";
    EXPECT_EQ(AllPages(f, 1), expected);
  }
  EXPECT_GT(nonempty, 35);
}

// Every event, of every type, is found by each user, organisation and resource it is about:
// filtered by that id and its type, the query returns it.
TEST_F(AuditModelTest, EveryEventIsFoundByEachUserOrgAndResourceItIsAbout) {
  std::set<EventBody> named;  // the types about some user, organisation or resource
  for (std::uint64_t p = 1; p <= world_.w.log.position(); ++p) {
    const EventBody type = Env(p)->body_type();
    const About& a = about_[p - 1];
    std::vector<AuditFilter> filters;
    for (const auto& u : a.users) filters.push_back({.user_id = u, .type = type});
    for (const auto& o : a.orgs) filters.push_back({.org_id = o, .type = type});
    for (const auto& r : a.resources) filters.push_back({.resource_id = r, .type = type});
    if (!filters.empty()) named.insert(type);
    for (AuditFilter& f : filters) {
      f.after = Position(p - 1);
      f.limit = 1;
      const AuditPage page = model_.Query(f);
      EXPECT_TRUE(!page.records.empty() && page.records[0].position == Position(p))
          << schemas::EventTypeName(type) << " at " << p << " not found by user '" << f.user_id.value_or("")
          << "' org '" << f.org_id.value_or("") << "' resource '" << f.resource_id.value_or("") << "'";
    }
  }
  // All but ProviderSettingsChanged, LevelDefined and AlertSetDefined name one.
  EXPECT_EQ(named.size(), static_cast<std::size_t>(EventBody::MAX) - 3);
}

// ExpectEvents only makes room: a model told to expect events, before and in the middle of
// its catch-up (the key table then grows with keys in it), answers every query the same.
TEST_F(AuditModelTest, AModelToldToExpectEventsAnswersTheSame) {
  AuditModel sized;
  const std::uint64_t events = world_.w.log.position();
  sized.ExpectEvents(events / 2);
  CatchUp(sized, world_.w.log, Position(events / 2));
  sized.ExpectEvents(100'000);
  CatchUp(sized, world_.w.log);
  std::vector<AuditFilter> filters = {{}};
  for (const char* u : {"alice", "bob", "gina"}) filters.push_back({.user_id = u});
  for (const char* o : {"acme", "globex", "sparky"}) filters.push_back({.org_id = o});
  for (const char* r : {"r1", "r2", "r3"}) filters.push_back({.resource_id = r});
  for (const char* a : {"admin", "support"}) filters.push_back({.actor = a});
  for (AuditFilter& f : filters) {
    f.limit = kMaxAuditLimit;
    std::vector<std::uint64_t> got, want;
    for (const AuditRecord& r : sized.Query(f).records) got.push_back(r.position.value());
    for (const AuditRecord& r : model_.Query(f).records) want.push_back(r.position.value());
    EXPECT_EQ(got, want);
    EXPECT_EQ(got, Expected(f));
  }
}

TEST_F(AuditModelTest, SpecificSubjects) {
  auto types = [&](const AuditFilter& f) {
    std::vector<EventBody> out;
    for (const AuditRecord& r : model_.Query(f).records) out.push_back(r.type);
    return out;
  };
  // The note's visibility change is found by its resource and that resource's organisation.
  const auto r1 = types({.resource_id = "r1"});
  EXPECT_EQ(std::count(r1.begin(), r1.end(), EventBody::NoteVisibilityChanged), 1);
  const auto acme = types({.org_id = "acme", .type = EventBody::NoteVisibilityChanged});
  EXPECT_EQ(acme.size(), 1u);
  // gina's impersonated note is found by the staff name and by gina.
  EXPECT_EQ(types({.actor = "support", .type = EventBody::NoteShared}).size(), 1u);
  EXPECT_EQ(types({.user_id = "gina", .type = EventBody::NoteShared}).size(), 1u);
  // dave is found through the resource assigned to him; sparky through the assignment.
  EXPECT_EQ(types({.user_id = "dave", .type = EventBody::ResourceUpserted}).size(), 1u);
  EXPECT_EQ(types({.org_id = "sparky", .type = EventBody::ResourceUpserted}).size(), 1u);
  // r1 moved to globex and back: each move is in both organisations' history.
  EXPECT_EQ(types({.org_id = "globex", .resource_id = "r1", .type = EventBody::ResourceUpserted}).size(), 2u);
  EXPECT_EQ(types({.org_id = "acme", .resource_id = "r1", .type = EventBody::ResourceUpserted}).size(), 3u);
}

TEST_F(AuditModelTest, LimitsAreBounded) {
  EXPECT_EQ(model_.Query({.limit = 0}).records.size(), std::min<std::size_t>(kDefaultAuditLimit, world_.w.log.position()));
  const AuditPage two = model_.Query({.limit = 2});
  ASSERT_EQ(two.records.size(), 2u);
  EXPECT_EQ(two.records[0].position, Position(1));
  EXPECT_EQ(two.next, Position(2));
  EXPECT_TRUE(model_.Query({.after = Position(world_.w.log.position())}).records.empty());
}

// GET /v1/audit?after=<anything at or past the end>: an empty page, with or without filters
// (after + 1 must not wrap to position 0, which read before the first record and, filtered,
// started over from the beginning).
TEST_F(AuditModelTest, AnAfterAtOrPastTheEndGivesAnEmptyPage) {
  const std::uint64_t end = world_.w.log.position();
  for (const std::uint64_t after : {end, end + 1, std::numeric_limits<std::uint64_t>::max() - 1,
                                    std::numeric_limits<std::uint64_t>::max()}) {
    for (AuditFilter f : {AuditFilter{}, AuditFilter{.org_id = "acme"}, AuditFilter{.user_id = "alice"},
                          AuditFilter{.type = EventBody::UserCreated}}) {
      f.after = Position(after);
      const AuditPage page = model_.Query(f);
      EXPECT_TRUE(page.records.empty()) << "after=" << after << ": " << page.records.size() << " record(s)";
      EXPECT_FALSE(page.next) << "after=" << after;
    }
  }
}

TEST_F(AuditModelTest, RefusesAnyPositionButTheNext) {
  const Position at = model_.applied();
  const schema::Envelope* e = Env(1);
  EXPECT_EQ(model_.Apply(*e, Position(1)).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(model_.Apply(*e, Position(at.value() + 1)).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(model_.applied(), at);
  EXPECT_EQ(model_.Query({.limit = kMaxAuditLimit}).records.size(), at.value());
}

TEST_F(AuditModelTest, ARestartGivesTheSameAnswers) {
  AuditModel restarted;
  CatchUp(restarted, world_.w.log);
  for (const AuditFilter& f : {AuditFilter{.org_id = "acme"}, AuditFilter{.actor = "admin", .limit = 7}}) {
    const AuditPage a = model_.Query(f), b = restarted.Query(f);
    ASSERT_EQ(a.records.size(), b.records.size());
    for (std::size_t i = 0; i < a.records.size(); ++i) EXPECT_EQ(a.records[i].position, b.records[i].position);
    EXPECT_EQ(a.next, b.next);
  }
}

}  // namespace
}  // namespace portico::projections
