// AccessState: the whole access world in memory, as folded from the log by Evolve
// (domain/evolve.h). Decide reads it to judge commands; Check reads it to answer "may U do C
// on R?". Only Evolve writes it: the public fields are there to be read.
//
// Invariants kept by Decide (Evolve trusts the log it folds but never crashes on an event
// that breaks them; it ignores it):
//   - every user's org exists; user names (canonical, domain/validate.h) are unique across all
//     users, archived ones included;
//   - an organisation's parent exists and was registered before it, so the org graph is a
//     forest; its depth is at most kMaxOrgDepth;
//   - a session in `sessions` is active: it has started and not ended; ended sessions are
//     forgotten (their history is the log's).
//
// Equality compares everything, including the indexes; folding the same events into two fresh
// states gives equal states. Not thread-safe: one writer, or readers of a snapshot.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/unordered/unordered_flat_set.hpp>

#include "domain/alert_state.h"
#include "domain/entity_map.h"
#include "domain/ids.h"
#include "domain/level.h"
#include "domain/workflow_state.h"
#include "schemas/events_generated.h"

namespace portico::domain {

inline constexpr int kMaxOrgDepth = 32;  // an org and its ancestors, at most
static_assert(kCapabilityCount <= 32, "User::revoked has one bit per capability");

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
// Maps and sets keyed by id strings, looked up by std::string_view without a copy.
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;
// Open addressing: a member costs a slot, not a node of its own. Nothing keeps a pointer or
// an iterator to a member across an insertion.
using StringSet = boost::unordered_flat_set<std::string, StringHash, std::equal_to<>>;
// Entities of one EntityMap, by their EntityMap::Index: 4 bytes a member, not a copy of its id.
using IndexSet = boost::unordered_flat_set<std::uint32_t>;

// Provider settings; the defaults are those of ProviderSettingsChanged in events.fbs.
struct Settings {
  bool portal_enabled = true;
  schema::SelfRegistration self_registration = schema::SelfRegistration::Off;
  std::uint16_t password_min_length = 8;
  std::uint32_t session_idle_minutes = 30;
  std::uint32_t session_absolute_hours = 12;
  std::uint32_t lockout_threshold = 5;
  std::uint32_t lockout_minutes = 15;
  bool operator==(const Settings&) const = default;
};

struct Org {
  static constexpr std::uint32_t kNoParent = 0xffffffffu;

  OrgId id;
  std::string name;
  schema::OrgKind kind = schema::OrgKind::Client;
  OrgId parent;                          // empty: a top-level organisation
  // The parent's EntityMap index in AccessState::orgs (kNoParent: none), so that the walks up
  // the tree that every check makes (EffectiveMode, InTree) hash no ids.
  std::uint32_t parent_index = kNoParent;
  schema::AccessMode mode = schema::AccessMode::Disabled;  // access is opt-in
  std::vector<LevelId> allowed_levels;   // sorted, unique; empty: any known level
  std::vector<OrgId> children;           // in registration order
  std::int64_t registered_at_us = 0;
  bool operator==(const Org&) const = default;
};

// An extra capability on top of the user's level.
struct Grant {
  Capability capability = Capability::kTasksCreate;
  Scope scope = Scope::kNone;
  std::int64_t expires_at_us = 0;  // 0: never
  std::int64_t granted_at_us = 0;
  bool operator==(const Grant&) const = default;
};

struct User {
  UserId id;
  OrgId org;
  std::string username;  // canonical
  std::string display_name;
  std::string email;
  std::string phone;  // "" until the user gives one (PUT /v1/portal/me: ContactDetailsUpdated)
  schema::UserType type = schema::UserType::Active;
  LevelId level;
  std::string password_hash;  // argon2id encoded; "" when none was set
  bool must_reset_password = false;
  bool login_enabled = true;
  bool archived = false;
  std::uint32_t failed_logins = 0;   // consecutive bad passwords since the last success or lockout
  std::int64_t locked_until_us = 0;  // locked while now < locked_until_us
  // Grants in the order given; a grant of the same capability and scope replaces the earlier.
  std::vector<Grant> grants;
  // One bit per capability: revoked. A revocation removes the capability from the level and
  // drops earlier grants of it; only a later grant gives (that scope of) it back.
  std::uint32_t revoked = 0;
  std::set<std::string> sessions;  // active session ids, sorted
  std::int64_t created_at_us = 0;
  std::int64_t password_changed_at_us = 0;

  bool IsRevoked(Capability c) const { return (revoked >> static_cast<unsigned>(c)) & 1u; }
  bool operator==(const User&) const = default;
};

struct Resource {
  ResourceId id;
  schema::ResourceType type = schema::ResourceType::Task;
  OrgId org;
  std::string title;
  schema::ResourceStatus status = schema::ResourceStatus::Current;
  UserId contact;                     // empty: none
  std::vector<UserId> assigned_users;  // sorted, unique
  OrgId assigned_org;                 // empty: none
  std::int64_t updated_at_us = 0;

  bool IsAssigned(std::string_view user_id) const;
  bool operator==(const Resource&) const = default;
};

struct Note {
  NoteId id;
  ResourceId resource;
  std::string body;
  schema::NoteVisibility visibility = schema::NoteVisibility::Internal;
  UserId author;  // the portal user who wrote it; empty when staff did
  std::int64_t shared_at_us = 0;
  bool operator==(const Note&) const = default;
};

struct Session {
  SessionId id;
  UserId user;
  std::string token_hash;       // 32 raw bytes (BLAKE2b-256 of the token)
  std::string impersonated_by;  // staff key name for "log in as client"
  std::int64_t started_at_us = 0;
  std::int64_t idle_timeout_us = 0;
  std::int64_t absolute_expires_at_us = 0;

  // Past its absolute expiry, or idle for its idle timeout since `last_seen_us` (the later of
  // that and the session's start counts).
  bool ExpiredAt(std::int64_t now_us, std::int64_t last_seen_us) const;
  bool operator==(const Session&) const = default;
};

struct AccessState {
  Settings settings;
  EntityMap<Org> orgs;
  StringMap<Level> levels;  // custom levels only; presets live in domain/presets.h
  EntityMap<User> users;
  EntityMap<Resource> resources;
  EntityMap<Note> notes;
  StringMap<Session> sessions;  // active only

  // Indexes, maintained by Evolve.
  StringMap<std::string> user_by_username;   // canonical user name -> user id
  StringMap<StringSet> users_by_org;         // org id -> its users' ids
  StringMap<IndexSet> resources_by_org;     // org id -> resources it owns (their index in `resources`)
  StringMap<IndexSet> resources_by_assigned_org;  // org id -> resources assigned to it (the same)
  StringMap<std::vector<std::string>> notes_by_resource;  // resource id -> note ids, in order
  StringMap<std::string> session_by_token;   // token hash (32 raw bytes) -> session id

  std::uint64_t position = 0;  // the global position of the last event folded

  WorkflowState workflows;  // registrations and imports (issue 6)
  AlertingState alerting;  // alert sets, subscriptions, password resets (domain/alert_state.h)

  const Org* FindOrg(std::string_view id) const;
  // The organisation's parent; null for a top-level one.
  const Org* Parent(const Org& org) const {
    return org.parent_index == Org::kNoParent ? nullptr : &orgs.at(org.parent_index);
  }
  const User* FindUser(std::string_view id) const;
  const User* FindUserByUsername(std::string_view canonical_username) const;
  const Resource* FindResource(std::string_view id) const;
  const Note* FindNote(std::string_view id) const;
  const Session* FindSession(std::string_view id) const;
  const Session* FindSessionByToken(std::string_view token_hash) const;
  // A preset or a custom level.
  const Level* FindLevel(std::string_view id) const;

  // The organisation's access as its users get it: the most restrictive mode along its chain
  // of ancestors (a disabled parent disables its sub-organisations; a restricted one makes
  // them read-only). `blocking` (optional) receives the org that imposes it.
  schema::AccessMode EffectiveMode(const Org& org, const Org** blocking = nullptr) const;

  // True when `org_id` is `root_id` or one of its descendants.
  bool InTree(std::string_view org_id, std::string_view root_id) const;

  // `root` and all its descendants, root first.
  std::vector<const Org*> Subtree(const Org& root) const;

  bool operator==(const AccessState&) const = default;
};

}  // namespace portico::domain
