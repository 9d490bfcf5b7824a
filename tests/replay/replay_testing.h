// Helpers of the replay tests: random access histories written through the real EventStore
// (commands judged by domain::Decide, envelopes built by schemas::EncodeEnvelope), a model
// that folds the stored events with domain::Evolve, and running the replay commands
// in-process with their output parsed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "domain/catalogue.h"
#include "domain/check.h"
#include "domain/decide.h"
#include "domain/evolve.h"
#include "domain/memory_log.h"
#include "domain/presets.h"
#include "eventstore/event_store.h"
#include "eventstore/store_testing.h"
#include "replay/commands.h"
#include "replay/log_db.h"

namespace portico::replay::testing {

using eventstore::testing::TempDir;

inline std::int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Options every in-process command uses: the data dir, quiet progress.
inline CommonOptions Common(const std::string& data_dir, OpenMode mode = OpenMode::kAuto) {
  CommonOptions c;
  c.data_dir = data_dir;
  c.open_mode = mode;
  c.progress = ProgressMode::kOff;
  c.pretty = false;
  return c;
}

struct CommandOutput {
  int exit_code = -1;
  std::string out, err;
  boost::json::value json() const { return boost::json::parse(out); }
};

template <typename Options, typename Fn>
CommandOutput Run(Fn fn, const Options& options) {
  std::ostringstream out, err;
  CommandOutput result;
  result.exit_code = fn(options, out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

// Random commands of the access domain, valid often enough to build rich histories: ids
// are picked from the state the commands will be judged against.
class RandomCommands {
 public:
  explicit RandomCommands(std::uint32_t seed) : rng_(seed) {}
  std::mt19937& rng() { return rng_; }

  domain::Command Next(const domain::AccessState& state, std::int64_t now) {
    now_ = now;
    return RandomCommand(state);
  }

 private:
  template <typename V>
  std::string Pick(const domain::StringMap<V>& map) {
    if (map.empty()) return "none";
    auto it = map.begin();
    std::advance(it, rng_() % map.size());
    return it->first;
  }
  template <typename V>
  std::string Pick(const domain::EntityMap<V>& map) {
    if (map.empty()) return "none";
    auto it = map.begin();
    std::advance(it, rng_() % map.size());
    return it->id.value();
  }
  std::string NewId(const char* prefix) { return prefix + std::to_string(next_id_++); }
  std::string PickLevel(const domain::AccessState& state) {
    const auto& presets = domain::Presets();
    if (!state.levels.empty() && rng_() % 3 == 0) return Pick(state.levels);
    return presets[rng_() % presets.size()].id.value();
  }
  domain::Capability PickCapability() { return static_cast<domain::Capability>(rng_() % domain::kCapabilityCount); }
  std::string PickScope(domain::Capability c) {
    const domain::ScopeMask allowed = domain::Info(c).scopes;
    std::vector<std::string> names{""};
    for (std::size_t s = 1; s < domain::kScopeCount; ++s) {
      if (allowed & domain::Bit(static_cast<domain::Scope>(s))) names.emplace_back(domain::ScopeName(static_cast<domain::Scope>(s)));
    }
    return names[rng_() % names.size()];
  }
  schemas::Hash NewToken() {
    schemas::Hash h{};
    for (auto& b : h) b = static_cast<std::uint8_t>(rng_());
    h[0] |= 1;
    return h;
  }

  domain::Command RandomCommand(const domain::AccessState& state) {
    const std::uint32_t r = rng_() % 100;
    if (state.orgs.size() < 2 || r < 8) {
      domain::RegisterOrg c;
      c.org_id = domain::OrgId(NewId("org"));
      c.name = "Org " + c.org_id.value();
      c.kind = rng_() % 3 == 0 ? schema::OrgKind::Contractor : schema::OrgKind::Client;
      if (!state.orgs.empty() && rng_() % 3 == 0) c.parent_org_id = domain::OrgId(Pick(state.orgs));
      return c;
    }
    if (r < 18) {
      return domain::SetOrgAccess{domain::OrgId(Pick(state.orgs)),
                                  static_cast<schema::AccessMode>(rng_() % 4 == 0 ? 0 : 1 + rng_() % 2)};
    }
    if (r < 20) {
      domain::DefineLevel c;
      c.level_id = domain::LevelId(NewId("level"));
      c.name = "Level " + c.level_id.value();
      for (int i = 0; i < 6; ++i) {
        const domain::Capability cap = PickCapability();
        c.capabilities.push_back({std::string(domain::CapabilityName(cap)), PickScope(cap)});
      }
      return c;
    }
    if (state.users.empty() || r < 32) {
      domain::CreateUser c;
      c.user_id = domain::UserId(NewId("user"));
      c.org_id = domain::OrgId(Pick(state.orgs));
      c.username = c.user_id.value() + "@example.com";
      c.display_name = "User " + c.user_id.value();
      const domain::Org* org = state.FindOrg(c.org_id.value());
      const bool contractor = org != nullptr && org->kind == schema::OrgKind::Contractor;
      c.user_type = rng_() % 8 == 0 ? schema::UserType::Passive
                                    : (contractor ? schema::UserType::Contractor : schema::UserType::Active);
      c.level = domain::LevelId(PickLevel(state));
      return c;
    }
    const std::string user = Pick(state.users);
    if (r < 38) return domain::ChangeUserLevel{domain::UserId(user), domain::LevelId(PickLevel(state))};
    if (r < 48) {
      const domain::Capability cap = PickCapability();
      const std::int64_t expires = rng_() % 3 == 0 ? now_ + 200 + rng_() % 3000 : 0;
      return domain::GrantPermission{domain::UserId(user), std::string(domain::CapabilityName(cap)), PickScope(cap),
                                     expires};
    }
    if (r < 53) return domain::RevokePermission{domain::UserId(user), std::string(domain::CapabilityName(PickCapability()))};
    if (r < 57) return domain::SetLoginEnabled{domain::UserId(user), rng_() % 2 == 0};
    if (r < 59) return domain::ArchiveUser{domain::UserId(user)};
    if (r < 72) {
      domain::UpsertResource c;
      c.resource_id = domain::ResourceId(rng_() % 4 == 0 && !state.resources.empty() ? Pick(state.resources)
                                                                                       : NewId("res"));
      c.type = static_cast<schema::ResourceType>(rng_() % 11);
      c.org_id = domain::OrgId(Pick(state.orgs));
      c.title = "Resource " + c.resource_id.value();
      c.status = static_cast<schema::ResourceStatus>(rng_() % 3);
      if (rng_() % 2 == 0) c.contact_user_id = domain::UserId(user);
      if (rng_() % 3 == 0) c.assigned_user_ids.push_back(domain::UserId(Pick(state.users)));
      if (rng_() % 3 == 0) {
        for (const domain::Org& org : state.orgs) {
          if (org.kind == schema::OrgKind::Contractor && rng_() % 2 == 0) {
            c.assigned_org_id = org.id;
            break;
          }
        }
      }
      return c;
    }
    if (r < 78 && !state.resources.empty()) {
      domain::ShareNote c;
      c.note_id = domain::NoteId(NewId("note"));
      c.resource_id = domain::ResourceId(Pick(state.resources));
      c.body = "note body";
      c.visibility = static_cast<schema::NoteVisibility>(rng_() % 3);
      return c;
    }
    if (r < 80 && !state.notes.empty()) {
      return domain::ChangeNoteVisibility{domain::NoteId(Pick(state.notes)),
                                          static_cast<schema::NoteVisibility>(rng_() % 3)};
    }
    if (r < 90) {
      domain::LoginAsUser c;
      c.user_id = domain::UserId(user);
      c.staff = "staff-1";
      c.session_id = domain::SessionId(NewId("s"));
      c.token_hash = NewToken();
      if (rng_() % 2 == 0) {
        const domain::User* u = state.FindUser(user);
        domain::Login login;
        login.username = u->username;
        login.password_verified = rng_() % 4 != 0;
        login.session_id = c.session_id;
        login.token_hash = c.token_hash;
        login.user_id = u->id;
        login.checked_hash = u->password_hash;
        return login;
      }
      return c;
    }
    if (r < 95 && !state.sessions.empty()) {
      return domain::EndSession{domain::SessionId(Pick(state.sessions)), schema::SessionEndReason::Logout};
    }
    if (r < 97) return domain::EndUserSessions{domain::UserId(user), schema::SessionEndReason::EndedByStaff};
    domain::ChangeSettings c;
    c.portal_enabled = rng_() % 4 != 0;
    return c;
  }

  std::mt19937 rng_;
  std::int64_t now_ = 0;
  int next_id_ = 1;
};

// A random history of the access domain, appended to a real EventStore in DATA_DIR/log. Every
// command is judged by Decide against the state folded from what the store holds (rejections
// are skipped), so the log is one the server could have written. `sync` as the server does
// (which also keeps zeros written ahead of the WAL's end); off by default, for speed.
class RandomHistory {
 public:
  RandomHistory(const std::string& data_dir, std::uint32_t seed, bool sync = false) : commands_(seed) {
    eventstore::Options options;
    options.dir = data_dir + "/log";
    options.sync = sync;
    auto opened = eventstore::EventStore::Open(options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  // Runs `commands` random commands (fewer events when some are rejected).
  void Generate(int commands) {
    for (int i = 0; i < commands; ++i) Execute(commands_.Next(state_, std::max(NowUs(), last_time_)));
  }

  // Judges and appends one command; false when Decide rejected it.
  bool Execute(const domain::Command& command) {
    const std::int64_t now = std::max(NowUs(), last_time_);
    auto events = domain::Decide(state_, command, now);
    if (!events.ok() || events->empty()) return false;
    schemas::EventMeta meta;
    meta.actor_kind = schema::ActorKind::Staff;
    meta.actor_id = "auditor-test";
    meta.correlation_id = "c" + std::to_string(++executed_);
    if (rng()() % 5 == 0) meta.on_behalf_of = "staff-" + std::to_string(rng()() % 3);
    // Consecutive events of one stream go in one append.
    std::size_t i = 0;
    while (i < events->size()) {
      std::size_t j = i;
      std::vector<std::string> envelopes;
      for (; j < events->size() && (*events)[j].stream == (*events)[i].stream; ++j) {
        envelopes.push_back(domain::EncodeEvent((*events)[j], meta));
      }
      auto appended = store_->Append(StreamId((*events)[i].stream), eventstore::ExpectedVersion::Any(), envelopes);
      EXPECT_TRUE(appended.ok()) << appended.status().ToString();
      i = j;
    }
    CatchUp();
    return true;
  }

  // Every stored envelope, in position order (position i + 1).
  const std::vector<std::string>& envelopes() const { return envelopes_; }
  const domain::AccessState& state() const { return state_; }
  std::int64_t time_at(std::size_t position) const { return times_[position - 1]; }
  eventstore::EventStore& store() { return *store_; }
  void Close() { store_.reset(); }
  std::mt19937& rng() { return commands_.rng(); }

 private:
  void CatchUp() {
    auto read = store_->ReadAll(Position(envelopes_.size() + 1), 1 << 20);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    for (auto& event : *read) {
      ASSERT_TRUE(domain::EvolveBytes(state_, event.bytes).ok());
      last_time_ = event.envelope().recorded_at_us();
      times_.push_back(last_time_);
      envelopes_.push_back(std::move(event.bytes));
    }
  }

  RandomCommands commands_;
  std::unique_ptr<eventstore::EventStore> store_;
  domain::AccessState state_;
  std::vector<std::string> envelopes_;
  std::vector<std::int64_t> times_;
  std::int64_t last_time_ = 0;
  int executed_ = 0;
};

// A random history kept in memory by domain::MemoryLog (the store's stamping: positions,
// stream versions, hash chain), with times that advance by 0 to 1000 µs per command, so
// that several events share a time. MemoryLogDb serves its envelopes as a LogDb.
class MemoryHistory {
 public:
  explicit MemoryHistory(std::uint32_t seed) : commands_(seed), now_(1'790'000'000'000'000 + seed) {}

  void Generate(int commands) {
    for (int i = 0; i < commands; ++i) {
      now_ += static_cast<std::int64_t>(rng()() % 1000);
      schemas::EventMeta meta;
      meta.actor_kind = schema::ActorKind::Staff;
      meta.actor_id = "auditor-test";
      (void)log_.Execute(commands_.Next(log_.state(), now_), now_, meta);
    }
  }
  const std::vector<std::string>& envelopes() const { return log_.envelopes(); }
  std::int64_t time_at(std::size_t position) const {
    return schema::GetEnvelope(log_.envelopes()[position - 1].data())->recorded_at_us();
  }
  std::mt19937& rng() { return commands_.rng(); }

 private:
  RandomCommands commands_;
  domain::MemoryLog log_;
  std::int64_t now_;
};

class MemoryLogDb final : public LogDb {
 public:
  explicit MemoryLogDb(const std::vector<std::string>& envelopes) : envelopes_(envelopes) {}
  OpenMode mode() const override { return OpenMode::kReadOnly; }
  Result<std::optional<eventstore::HeadRecord>> head_record() const override {
    if (envelopes_.empty()) return std::optional<eventstore::HeadRecord>();
    eventstore::HeadRecord head;
    head.position = Position(envelopes_.size());
    head.hash = schemas::ToHash(schema::GetEnvelope(envelopes_.back().data())->hash());
    return std::optional<eventstore::HeadRecord>(head);
  }
  Result<Position> LastStoredPosition() const override { return Position(envelopes_.size()); }
  Result<std::optional<std::string>> ReadEvent(Position p) const override {
    if (p.value() == 0 || p.value() > envelopes_.size()) return std::optional<std::string>();
    return std::optional<std::string>(envelopes_[p.value() - 1]);
  }
  std::unique_ptr<RawCursor> EventCursor(Position from, Position to) const override {
    return std::make_unique<Cursor>(envelopes_, std::max<std::uint64_t>(from.value(), 1),
                                    std::min<std::uint64_t>(to.value(), envelopes_.size()));
  }
  std::unique_ptr<RawCursor> StreamIndexCursor() const override {
    return std::make_unique<Cursor>(envelopes_, 1, 0);
  }

 private:
  class Cursor final : public RawCursor {
   public:
    Cursor(const std::vector<std::string>& envelopes, std::uint64_t from, std::uint64_t to)
        : envelopes_(envelopes), at_(from), to_(to) {
      SetKey();
    }
    bool Valid() const override { return at_ <= to_; }
    std::string_view key() const override { return key_; }
    std::string_view value() const override { return envelopes_[at_ - 1]; }
    void Next() override {
      ++at_;
      SetKey();
    }
    Status status() const override { return Status::Ok(); }

   private:
    void SetKey() { key_ = eventstore::PositionKey(Position(at_)); }
    const std::vector<std::string>& envelopes_;
    std::uint64_t at_, to_;
    std::string key_;
  };
  const std::vector<std::string>& envelopes_;
};

// The model: the stored envelopes 1..position folded with Evolve.
inline domain::AccessState ModelAt(const std::vector<std::string>& envelopes, std::size_t position) {
  domain::AccessState state;
  for (std::size_t i = 0; i < position; ++i) EXPECT_TRUE(domain::EvolveBytes(state, envelopes[i]).ok());
  return state;
}

}  // namespace portico::replay::testing
