// as-of, who-can and what-can at random past moments of random histories agree with a model
// that folds the same stored events with domain::Evolve and asks domain::Check directly.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "replay/replayer.h"
#include "replay/time_format.h"
#include "replay_testing.h"

namespace portico::replay {
namespace {

namespace json = boost::json;
using testing::Common;
using testing::ModelAt;
using testing::RandomHistory;
using testing::Run;
using testing::TempDir;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Str(const json::value& v) { return std::string(v.as_string()); }

bool Applies(const domain::CapabilityInfo& info, schema::ResourceType type) {
  return info.target == domain::Target::kAnyResource ||
         (info.target == domain::Target::kResourceType && info.type == type);
}

// A moment of the history: either a position or a time.
struct Moment {
  MomentSpec spec;
  std::size_t position = 0;
  std::int64_t now = 0;
};

template <typename History>
Moment RandomMoment(History& h) {
  const std::size_t n = h.envelopes().size();
  Moment m;
  if (h.rng()() % 2 == 0) {
    m.position = h.rng()() % (n + 1);
    m.spec.position = m.position;
    m.now = m.position == 0 ? 0 : h.time_at(m.position);
  } else {
    const std::int64_t first = h.time_at(1) - 5, last = h.time_at(n) + 5;
    m.now = first + static_cast<std::int64_t>(h.rng()() % static_cast<std::uint64_t>(last - first + 1));
    m.spec.at_us = m.now;
    while (m.position < n && h.time_at(m.position + 1) <= m.now) ++m.position;
  }
  return m;
}

// Asks the questions either through the command functions (each opens the log, folds and
// prints JSON) or, to afford thousands of histories, through the same answer functions over
// one LogDb opened once per history.
class Asker {
 public:
  Asker(const std::string& dir, bool through_commands) : dir_(dir) {
    if (through_commands) return;
    auto db = LogDb::Open(dir + "/log", OpenMode::kReadOnly);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  explicit Asker(std::unique_ptr<LogDb> db) : db_(std::move(db)) {}

  json::object AsOf(const MomentSpec& spec, bool verify_hashes) {
    AsOfOptions options;
    options.common = Common(dir_);
    options.moment = spec;
    options.verify_hashes = verify_hashes;
    if (!db_) return Command(&replay::AsOf, options);
    Replayer replayer(*db_, ReplayOptions{verify_hashes, nullptr});
    return AsOfAnswer(Fold(replayer, spec));
  }
  json::object WhoCan(WhoCanOptions options, const MomentSpec& spec) {
    options.common = Common(dir_);
    options.moment = spec;
    if (!db_) return Command(&replay::WhoCan, options);
    Replayer replayer(*db_, ReplayOptions{});
    auto doc = WhoCanAnswer(Fold(replayer, spec), options);
    EXPECT_TRUE(doc.ok()) << doc.status().ToString();
    return doc.ok() ? *doc : json::object{};
  }
  json::object WhatCan(WhatCanOptions options, const MomentSpec& spec) {
    options.common = Common(dir_);
    options.moment = spec;
    if (!db_) return Command(&replay::WhatCan, options);
    Replayer replayer(*db_, ReplayOptions{});
    auto doc = WhatCanAnswer(Fold(replayer, spec), options);
    EXPECT_TRUE(doc.ok()) << doc.status().ToString();
    return doc.ok() ? *doc : json::object{};
  }

 private:
  template <typename Options, typename Fn>
  json::object Command(Fn fn, const Options& options) {
    const auto result = Run(fn, options);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.exit_code == 0 ? result.json().as_object() : json::object{};
  }

  FoldedView Fold(Replayer& replayer, const MomentSpec& spec) {
    const Position last = db_->LastStoredPosition().value();
    auto moment = ResolveMoment(*db_, spec, last);
    EXPECT_TRUE(moment.ok()) << moment.status().ToString();
    const Status folded = replayer.AdvanceTo(moment->position);
    EXPECT_TRUE(folded.ok()) << folded.ToString();
    return FoldedView{replayer.state(), *moment, replayer.chain().hash()};
  }

  const std::string dir_;
  std::unique_ptr<LogDb> db_;
};

template <typename History>
void CheckAsOf(Asker& asker, History& h, const Moment& m) {
  const json::object doc = asker.AsOf(m.spec, h.rng()() % 2 == 0);
  ASSERT_FALSE(doc.empty());
  const domain::AccessState model = ModelAt(h.envelopes(), m.position);
  EXPECT_EQ(doc.at("position").to_number<std::uint64_t>(), m.position);
  EXPECT_EQ(doc.at("at_us").to_number<std::int64_t>(), m.now);

  const json::array& orgs = doc.at("organisations").as_array();
  ASSERT_EQ(orgs.size(), model.orgs.size());
  for (const json::value& v : orgs) {
    const json::object& o = v.as_object();
    const domain::Org* org = model.FindOrg(Str(o.at("id")));
    ASSERT_NE(org, nullptr);
    EXPECT_EQ(Str(o.at("access_mode")), Lower(schema::EnumNameAccessMode(org->mode)));
    EXPECT_EQ(Str(o.at("effective_access_mode")), Lower(schema::EnumNameAccessMode(model.EffectiveMode(*org))));
  }
  const json::array& users = doc.at("users").as_array();
  ASSERT_EQ(users.size(), model.users.size());
  for (const json::value& v : users) {
    const json::object& u = v.as_object();
    const domain::User* user = model.FindUser(Str(u.at("id")));
    ASSERT_NE(user, nullptr);
    EXPECT_EQ(Str(u.at("level")), user->level.value());
    EXPECT_EQ(Str(u.at("org")), user->org.value());
    EXPECT_EQ(u.at("archived").as_bool(), user->archived);
    EXPECT_EQ(u.at("login_enabled").as_bool(), user->login_enabled);
    EXPECT_FALSE(u.contains("password_hash"));
    std::set<std::string> revoked, expected_revoked;
    for (const auto& r : u.at("revocations").as_array()) revoked.insert(Str(r));
    for (const auto& info : domain::Catalogue()) {
      if (user->IsRevoked(info.id)) expected_revoked.emplace(info.name);
    }
    EXPECT_EQ(revoked, expected_revoked);
    std::set<std::tuple<std::string, std::string, bool>> grants, expected_grants;
    for (const auto& g : u.at("grants").as_array()) {
      grants.emplace(Str(g.at("capability")), Str(g.at("scope")), g.at("expired").as_bool());
    }
    for (const domain::Grant& g : user->grants) {
      expected_grants.emplace(domain::CapabilityName(g.capability), domain::ScopeName(g.scope),
                              g.expires_at_us != 0 && m.now >= g.expires_at_us);
    }
    EXPECT_EQ(grants, expected_grants);
    EXPECT_EQ(Str(u.at("portal_access").at("reason")),
              domain::ReasonName(domain::CheckUserActive(model, *user, m.now).reason));
  }
  std::set<std::string> sessions, expected_sessions;
  for (const auto& s : doc.at("sessions").as_array()) {
    sessions.insert(Str(s.at("id")));
    EXPECT_FALSE(s.as_object().contains("token_hash"));
  }
  for (const auto& [id, s] : model.sessions) expected_sessions.insert(id);
  EXPECT_EQ(sessions, expected_sessions);
}

using Allowed = std::set<std::tuple<std::string, std::string, std::string>>;  // (user|resource, capability, scope)

template <typename History>
void CheckWhoCan(Asker& asker, History& h, const Moment& m) {
  const domain::AccessState model = ModelAt(h.envelopes(), m.position);
  if (model.resources.empty()) return;
  auto it = model.resources.begin();
  std::advance(it, h.rng()() % model.resources.size());
  const domain::Resource& resource = *it;
  std::optional<domain::Capability> only;
  if (h.rng()() % 3 == 0) only = static_cast<domain::Capability>(h.rng()() % domain::kCapabilityCount);

  WhoCanOptions options;
  options.resource = resource.id.value();
  if (only) options.capability = std::string(domain::CapabilityName(*only));
  const json::object doc = asker.WhoCan(options, m.spec);
  ASSERT_FALSE(doc.empty());
  ASSERT_TRUE(doc.at("resource_exists").as_bool());

  Allowed actual, expected;
  for (const auto& u : doc.at("users").as_array()) {
    for (const auto& p : u.at("allowed").as_array()) {
      actual.emplace(Str(u.at("user")), Str(p.at("capability")), Str(p.at("scope")));
    }
  }
  for (const domain::User& user : model.users) {
    for (const auto& info : domain::Catalogue()) {
      if (only ? info.id != *only : !Applies(info, resource.type)) continue;
      const domain::CheckResult r = domain::Check(model, user, info.id, &resource, m.now);
      if (r.allowed) expected.emplace(user.id.value(), info.name, domain::ScopeName(r.scope));
    }
  }
  EXPECT_EQ(actual, expected) << "resource " << resource.id.value() << " at position " << m.position;
}

template <typename History>
void CheckWhatCan(Asker& asker, History& h, const Moment& m) {
  const domain::AccessState model = ModelAt(h.envelopes(), m.position);
  if (model.users.empty()) return;
  auto it = model.users.begin();
  std::advance(it, h.rng()() % model.users.size());
  const domain::User& user = *it;

  WhatCanOptions options;
  options.user = user.id.value();
  const json::object doc = asker.WhatCan(options, m.spec);
  ASSERT_FALSE(doc.empty());
  EXPECT_EQ(Str(doc.at("portal_access").at("reason")),
            domain::ReasonName(domain::CheckUserActive(model, user, m.now).reason));

  Allowed actual, expected;
  for (const auto& p : doc.at("capabilities").as_array()) actual.emplace("", Str(p.at("capability")), Str(p.at("scope")));
  for (const auto& r : doc.at("resources").as_array()) {
    for (const auto& p : r.at("permissions").as_array()) {
      actual.emplace(Str(r.at("resource")), Str(p.at("capability")), Str(p.at("scope")));
    }
  }
  for (const auto& info : domain::Catalogue()) {
    if (info.target != domain::Target::kFeature) continue;
    const domain::CheckResult r = domain::Check(model, user, info.id, nullptr, m.now);
    if (r.allowed) expected.emplace("", info.name, domain::ScopeName(r.scope));
  }
  for (const domain::Resource& resource : model.resources) {
    for (const auto& info : domain::Catalogue()) {
      if (!Applies(info, resource.type)) continue;
      const domain::CheckResult r = domain::Check(model, user, info.id, &resource, m.now);
      if (r.allowed) expected.emplace(resource.id.value(), info.name, domain::ScopeName(r.scope));
    }
  }
  EXPECT_EQ(actual, expected) << "user " << user.id.value() << " at position " << m.position;

  std::set<std::string> notes, expected_notes;
  for (const auto& n : doc.at("notes").as_array()) notes.insert(Str(n));
  for (const domain::Note& note : model.notes) {
    if (domain::CanSeeNote(model, user, note, m.now).allowed) expected_notes.insert(note.id.value());
  }
  EXPECT_EQ(notes, expected_notes);
}

template <typename History>
void AskThreeMoments(Asker& asker, History& history) {
  for (int i = 0; i < 3; ++i) {
    CheckAsOf(asker, history, RandomMoment(history));
    CheckWhoCan(asker, history, RandomMoment(history));
    CheckWhatCan(asker, history, RandomMoment(history));
  }
}

// Each history answers as-of, who-can and what-can at three random moments.
int CheckHistories(int first_seed, int count, bool through_commands) {
  int events = 0;
  for (int seed = first_seed; seed < first_seed + count && !::testing::Test::HasFailure(); ++seed) {
    SCOPED_TRACE("history seed " + std::to_string(seed));
    TempDir dir;
    RandomHistory history(dir.path(), static_cast<std::uint32_t>(seed));
    history.Generate(10 + seed % 40);
    history.Close();
    events += static_cast<int>(history.envelopes().size());
    Asker asker(dir.path(), through_commands);
    AskThreeMoments(asker, history);
  }
  return events;
}

// Through the command functions, on logs written by the EventStore.
TEST(ReplayModelTest, CommandsOnStoreHistoriesMatchTheDomainModel) {
  RecordProperty("events", CheckHistories(1, 30, true));
}

// The same answer functions over LogDb on RocksDB, one open per history.
TEST(ReplayModelTest, AnswersOnStoreHistoriesMatchTheDomainModel) {
  RecordProperty("events", CheckHistories(1001, 100, false));
}

// Thousands of histories stamped in memory as the store would (domain::MemoryLog) and read
// through a LogDb over them: the fold, moments and answers without RocksDB's cost per log.
TEST(ReplayModelTest, AnswersOfThousandsOfHistoriesMatchTheDomainModel) {
  int events = 0;
  for (std::uint32_t seed = 10001; seed <= 13000 && !HasFailure(); ++seed) {
    SCOPED_TRACE("memory history seed " + std::to_string(seed));
    testing::MemoryHistory history(seed);
    history.Generate(10 + static_cast<int>(seed % 50));
    if (history.envelopes().empty()) continue;
    events += static_cast<int>(history.envelopes().size());
    Asker asker(std::make_unique<testing::MemoryLogDb>(history.envelopes()));
    AskThreeMoments(asker, history);
  }
  RecordProperty("events", events);
}

}  // namespace
}  // namespace portico::replay
