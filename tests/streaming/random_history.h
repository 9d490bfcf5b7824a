// A reproducible random history of real domain commands, for tests that need a log that looks
// like production's: organisations of both kinds in trees, custom levels, users, grants and
// revocations, resources, notes, logins (verified or not, so lockouts happen), impersonation,
// session ends and settings changes.
//
// Every command goes through domain::Decide against the state folded from the history so far
// (a domain::MemoryLog keeps it); rejected commands are dropped, so each Next() is one
// accepted command's events, in the order they are to be appended, with the meta (actor,
// on-behalf-of) the gateway would set. The same seed gives the same history.
//
// The ids are drawn from small fixed universes (Orgs(), UserIds(), ResourceIds(), Actors())
// so that commands collide on the same entities often, and so a test can enumerate them, e.g.
// to query a read model by every id.
//
// Not thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "domain/catalogue.h"
#include "domain/commands.h"
#include "domain/memory_log.h"
#include "domain/presets.h"

namespace portico::streaming_test {

struct HistoryStep {
  schemas::EventMeta meta;                 // stream_id is set per event by EncodeEvent
  std::vector<domain::DomainEvent> events;  // non-empty
};

class RandomHistory {
 public:
  struct OrgSpec {
    const char* id;
    schema::OrgKind kind;
    const char* parent;
  };
  static constexpr int kUsers = 12;
  static constexpr int kResources = 16;
  static constexpr int kNotes = 10;
  static constexpr std::int64_t kStart = 1'700'000'000'000'000;  // µs
  static constexpr std::int64_t kMinute = 60'000'000;

  static const std::vector<OrgSpec>& Orgs() {
    static const std::vector<OrgSpec> orgs = {
        {"c1", schema::OrgKind::Client, ""},      {"c1a", schema::OrgKind::Client, "c1"},
        {"c1b", schema::OrgKind::Client, "c1a"},  {"c2", schema::OrgKind::Client, ""},
        {"c3", schema::OrgKind::Client, ""},      {"k1", schema::OrgKind::Contractor, ""},
        {"k1a", schema::OrgKind::Contractor, "k1"}, {"k2", schema::OrgKind::Contractor, ""},
    };
    return orgs;
  }
  static std::string UserId(int i) { return "u" + std::to_string(i); }
  static std::string ResourceId(int i) { return "r" + std::to_string(i); }
  static std::string NoteId(int i) { return "n" + std::to_string(i); }
  static std::vector<std::string> UserIds() {
    std::vector<std::string> out;
    for (int i = 0; i < kUsers; ++i) out.push_back(UserId(i));
    return out;
  }
  static std::vector<std::string> ResourceIds() {
    std::vector<std::string> out;
    for (int i = 0; i < kResources; ++i) out.push_back(ResourceId(i));
    return out;
  }
  // Staff actors and impersonating staff names (users act as themselves, see UserIds()).
  static std::vector<std::string> Actors() { return {"admin", "ops", "system-sync"}; }

  explicit RandomHistory(std::uint64_t seed) : rng_(seed) {}

  // The next accepted command's events. Never fails: it keeps drawing until Decide accepts.
  HistoryStep Next() {
    for (;;) {
      now_ += Uniform(0, 3) * kMinute + Uniform(0, 59) * 1'000'000;
      schemas::EventMeta meta;
      domain::Command command = NextCommand(meta);
      auto result = log_.Execute(command, now_, meta);
      ++attempted_;
      if (!result.ok() || result->empty()) continue;
      return HistoryStep{std::move(meta), std::move(result).value()};
    }
  }

  const domain::AccessState& state() const { return log_.state(); }
  std::uint64_t attempted() const { return attempted_; }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(int percent) { return Uniform(1, 100) <= percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(Uniform(0, static_cast<int>(v.size()) - 1))];
  }

  std::string RandomUser() { return UserId(Uniform(0, kUsers - 1)); }
  std::string RandomResource() { return ResourceId(Uniform(0, kResources - 1)); }
  const OrgSpec& RandomOrg() { return Pick(Orgs()); }
  domain::Capability RandomCapability() {
    return static_cast<domain::Capability>(Uniform(0, domain::kCapabilityCount - 1));
  }
  std::string RandomLevel() {
    static const std::vector<std::string> levels = [] {
      std::vector<std::string> l{"custom1", "custom2"};
      for (const domain::Level& p : domain::Presets()) l.push_back(p.id.value());
      return l;
    }();
    return Pick(levels);
  }
  std::string RandomScope(domain::Capability c) {
    std::vector<std::string> scopes{""};
    const domain::ScopeMask mask = domain::Info(c).scopes;
    for (std::size_t s = 1; s < domain::kScopeCount; ++s) {
      if (mask & domain::Bit(static_cast<domain::Scope>(s))) {
        scopes.emplace_back(domain::ScopeName(static_cast<domain::Scope>(s)));
      }
    }
    return Pick(scopes);
  }
  schema::AccessMode RandomMode() {
    const int r = Uniform(1, 10);
    return r <= 7 ? schema::AccessMode::Enabled
                  : r <= 9 ? schema::AccessMode::Restricted : schema::AccessMode::Disabled;
  }
  schemas::Hash Token() {
    schemas::Hash h{};
    const std::uint64_t n = ++sessions_;
    for (int i = 0; i < 8; ++i) h[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (8 * i));
    h[31] = 0xa5;
    return h;
  }
  std::string NewSession() { return "s" + std::to_string(sessions_ + 1); }

  domain::CreateUser RandomCreateUser() {
    const OrgSpec& o = RandomOrg();
    const int i = Uniform(0, kUsers - 1);
    domain::CreateUser c;
    c.user_id = domain::UserId(UserId(i));
    c.org_id = domain::OrgId(o.id);
    c.username = "user" + std::to_string(i);
    c.display_name = "User " + std::to_string(i);
    c.user_type = Chance(10) ? schema::UserType::Passive
                 : o.kind == schema::OrgKind::Client ? schema::UserType::Active
                                                     : schema::UserType::Contractor;
    c.level = domain::LevelId(RandomLevel());
    if (Chance(95)) c.password = domain::NewPassword{"a good password", kPasswordHash};
    return c;
  }

  domain::UpsertResource RandomUpsertResource() {
    domain::UpsertResource c;
    c.resource_id = domain::ResourceId(RandomResource());
    c.type = static_cast<schema::ResourceType>(Chance(40) ? 0 : Uniform(0, 10));
    c.org_id = domain::OrgId(RandomOrg().id);
    c.title = "Resource " + std::to_string(Uniform(0, 999));
    c.status = static_cast<schema::ResourceStatus>(Uniform(0, 2));
    if (Chance(60)) c.contact_user_id = domain::UserId(RandomUser());
    for (int n = Uniform(0, 2); n > 0; --n) c.assigned_user_ids.emplace_back(RandomUser());
    if (Chance(50)) c.assigned_org_id = domain::OrgId(Chance(50) ? "k1" : Chance(50) ? "k1a" : "k2");
    return c;
  }

  // Staff by default; a portal user (or staff on its behalf) for what users do themselves.
  void StaffMeta(schemas::EventMeta& meta) {
    meta.actor_kind = schema::ActorKind::Staff;
    meta.actor_id = Pick(Actors());
  }
  void UserMeta(schemas::EventMeta& meta, const std::string& user) {
    meta.actor_kind = schema::ActorKind::PortalUser;
    meta.actor_id = user;
    if (Chance(20)) meta.on_behalf_of = Pick(Actors());
  }

  domain::Command NextCommand(schemas::EventMeta& meta) {
    StaffMeta(meta);
    // Build the world up first: organisations, then users and resources.
    if (log_.position() < 12 && attempted_ < 100) {
      const OrgSpec& o = Orgs()[static_cast<std::size_t>(log_.position() / 2 % Orgs().size())];
      if (state().FindOrg(o.id) == nullptr) {
        return domain::RegisterOrg{domain::OrgId(o.id), std::string("Org ") + o.id, o.kind,
                                   domain::OrgId(o.parent)};
      }
      return domain::SetOrgAccess{domain::OrgId(o.id), schema::AccessMode::Enabled};
    }
    const int r = Uniform(1, 120);
    if (r <= 6) {
      const OrgSpec& o = RandomOrg();
      return domain::RegisterOrg{domain::OrgId(o.id), std::string("Org ") + o.id, o.kind,
                                 domain::OrgId(o.parent)};
    }
    if (r <= 12) return domain::SetOrgAccess{domain::OrgId(RandomOrg().id), RandomMode()};
    if (r <= 14) {
      std::vector<domain::LevelId> levels;
      for (int n = Uniform(0, 3); n > 0; --n) levels.emplace_back(RandomLevel());
      return domain::SetAllowedLevels{domain::OrgId(RandomOrg().id), std::move(levels)};
    }
    if (r <= 17) {
      domain::DefineLevel c{domain::LevelId(Chance(50) ? "custom1" : "custom2"), "Custom", {}};
      for (int i = Uniform(0, 8); i > 0; --i) {
        const domain::Capability cap = RandomCapability();
        c.capabilities.push_back({std::string(domain::CapabilityName(cap)), RandomScope(cap)});
      }
      return c;
    }
    if (r <= 30) return RandomCreateUser();
    if (r <= 33) {
      return domain::ChangeUserLevel{domain::UserId(RandomUser()), domain::LevelId(RandomLevel())};
    }
    if (r <= 39) {
      const domain::Capability cap = RandomCapability();
      return domain::GrantPermission{domain::UserId(RandomUser()),
                                     std::string(domain::CapabilityName(cap)), RandomScope(cap),
                                     Chance(60) ? 0 : now_ + Uniform(1, 60) * kMinute};
    }
    if (r <= 43) {
      return domain::RevokePermission{domain::UserId(RandomUser()),
                                      std::string(domain::CapabilityName(RandomCapability()))};
    }
    if (r <= 45) {
      const std::string user = RandomUser();
      if (Chance(50)) UserMeta(meta, user);
      return domain::SetPassword{domain::UserId(user),
                                 domain::NewPassword{"another password", kPasswordHash},
                                 Chance(30), domain::SessionId("")};
    }
    if (r <= 46) return domain::ForcePasswordReset{domain::UserId(RandomUser())};
    if (r <= 49) return domain::SetLoginEnabled{domain::UserId(RandomUser()), Chance(70)};
    if (r <= 50) return domain::ArchiveUser{domain::UserId(RandomUser())};
    if (r <= 66) return RandomUpsertResource();
    if (r <= 74) {
      std::string author = Chance(40) ? RandomUser() : "";
      if (!author.empty()) UserMeta(meta, author);
      return domain::ShareNote{domain::NoteId(NoteId(Uniform(0, kNotes - 1))),
                               domain::ResourceId(RandomResource()),
                               "note " + std::to_string(Uniform(0, 999)),
                               static_cast<schema::NoteVisibility>(Uniform(0, 2)),
                               domain::UserId(author)};
    }
    if (r <= 77) {
      return domain::ChangeNoteVisibility{domain::NoteId(NoteId(Uniform(0, kNotes - 1))),
                                          static_cast<schema::NoteVisibility>(Uniform(0, 2))};
    }
    if (r <= 97) {
      const int i = Uniform(0, kUsers - 1);
      UserMeta(meta, UserId(i));
      meta.on_behalf_of.clear();
      const std::string session = NewSession();
      return domain::Login{"user" + std::to_string(i), Chance(75), domain::SessionId(session), Token(),
                           domain::UserId(UserId(i)), kPasswordHash};
    }
    if (r <= 100) {
      const std::string staff = Pick(Actors());
      meta.actor_id = staff;
      const std::string session = NewSession();
      return domain::LoginAsUser{domain::UserId(RandomUser()), staff, domain::SessionId(session),
                                 Token()};
    }
    if (r <= 108) {
      if (!state().sessions.empty() && Chance(70)) {
        // The n-th active session in id order (the map itself is unordered).
        std::vector<std::string> ids;
        for (const auto& entry : state().sessions) ids.push_back(entry.first);
        std::sort(ids.begin(), ids.end());
        return domain::EndSession{domain::SessionId(Pick(ids)), schema::SessionEndReason::Logout};
      }
      return domain::EndUserSessions{domain::UserId(RandomUser()),
                                     schema::SessionEndReason::EndedByStaff};
    }
    if (r <= 112) return domain::ExpireSessions{};
    if (r <= 114) {
      domain::ChangeSettings c;
      c.portal_enabled = Chance(85);
      c.lockout_threshold = Uniform(1, 4);
      c.lockout_minutes = Uniform(1, 10);
      c.session_idle_minutes = Uniform(5, 30);
      c.session_absolute_hours = Uniform(1, 3);
      return c;
    }
    // Re-enable an organisation: keeps the world from going dark.
    return domain::SetOrgAccess{domain::OrgId(RandomOrg().id), schema::AccessMode::Enabled};
  }

  static inline const std::string kPasswordHash =
      "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

  std::mt19937_64 rng_;
  domain::MemoryLog log_;
  std::int64_t now_ = kStart;
  std::uint64_t sessions_ = 0;
  std::uint64_t attempted_ = 0;
};

}  // namespace portico::streaming_test
