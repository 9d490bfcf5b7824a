#include "domain/evolve.h"

#include <algorithm>

#include "domain/evolve_workflows.h"
#include "domain/evolve_alerts.h"
#include "domain/presets.h"
#include "schemas/envelope.h"

namespace portico::domain {
namespace {

using schema::EventBody;

std::string_view Sv(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : std::string_view(s->c_str(), s->size());
}

// Adds `value` to the set of `key` (a StringSet of ids or an IndexSet of entities).
template <typename Set, typename Member>
void IndexAdd(StringMap<Set>& index, std::string_view key, const Member& value) {
  if (key.empty()) return;
  auto it = index.find(key);
  if (it == index.end()) it = index.emplace(std::string(key), Set{}).first;
  it->second.emplace(value);
}

template <typename Set, typename Member>
void IndexRemove(StringMap<Set>& index, std::string_view key, const Member& value) {
  const auto it = index.find(key);
  if (it == index.end()) return;
  const auto member = it->second.find(value);
  if (member != it->second.end()) it->second.erase(member);
  if (it->second.empty()) index.erase(it);
}

// The 32 raw bytes of a hash (zeros when absent), viewed in place.
std::string_view HashKey(const schema::Hash256* h) {
  static constexpr char kZeros[32] = {};
  if (h == nullptr) return std::string_view(kZeros, sizeof kZeros);
  return std::string_view(reinterpret_cast<const char*>(h->bytes()->Data()), 32);
}

// The capability and scope a stored entry names, when this build knows them.
std::optional<std::pair<Capability, Scope>> ParseEntry(std::string_view capability, std::string_view scope) {
  const auto cap = ParseCapability(capability);
  if (!cap) return std::nullopt;
  const auto resolved = ResolveScope(*cap, scope);
  if (!resolved.ok()) return std::nullopt;
  return std::make_pair(*cap, *resolved);
}

class Folder {
 public:
  Folder(AccessState& state, const schema::Envelope& env) : s_(state), env_(env), now_(env.recorded_at_us()) {}

  void Apply() {
    if (env_.body() == nullptr) return;
    switch (env_.body_type()) {
      case EventBody::ProviderSettingsChanged: return On(*env_.body_as_ProviderSettingsChanged());
      case EventBody::OrgRegistered: return On(*env_.body_as_OrgRegistered());
      case EventBody::OrgAccessChanged: return On(*env_.body_as_OrgAccessChanged());
      case EventBody::OrgAllowedLevelsSet: return On(*env_.body_as_OrgAllowedLevelsSet());
      case EventBody::LevelDefined: return On(*env_.body_as_LevelDefined());
      case EventBody::UserCreated: return On(*env_.body_as_UserCreated());
      case EventBody::UserLevelChanged: return On(*env_.body_as_UserLevelChanged());
      case EventBody::PermissionGranted: return On(*env_.body_as_PermissionGranted());
      case EventBody::PermissionRevoked: return On(*env_.body_as_PermissionRevoked());
      case EventBody::PasswordChanged: return On(*env_.body_as_PasswordChanged());
      case EventBody::PasswordResetForced: return On(*env_.body_as_PasswordResetForced());
      case EventBody::LoginEnabledChanged: return On(*env_.body_as_LoginEnabledChanged());
      case EventBody::UserArchived: return On(*env_.body_as_UserArchived());
      case EventBody::SessionStarted: return On(*env_.body_as_SessionStarted());
      case EventBody::LoginFailed: return On(*env_.body_as_LoginFailed());
      case EventBody::UserLockedOut: return On(*env_.body_as_UserLockedOut());
      case EventBody::SessionEnded: return On(*env_.body_as_SessionEnded());
      case EventBody::ResourceUpserted: return On(*env_.body_as_ResourceUpserted());
      case EventBody::NoteShared: return On(*env_.body_as_NoteShared());
      case EventBody::NoteVisibilityChanged: return On(*env_.body_as_NoteVisibilityChanged());
      default:  // issue 6 events (each folds only its own kinds); NONE or newer: nothing
        EvolveWorkflows(s_, env_);
        return EvolveAlerting(s_, env_);
    }
  }

 private:
  User* FindUser(const flatbuffers::String* id) { return s_.users.Find(Sv(id)); }

  void On(const schema::ProviderSettingsChanged& e) {
    Settings& st = s_.settings;
    st.portal_enabled = e.portal_enabled();
    st.self_registration = e.self_registration();
    st.password_min_length = e.password_min_length();
    st.session_idle_minutes = e.session_idle_minutes();
    st.session_absolute_hours = e.session_absolute_hours();
    st.lockout_threshold = e.lockout_threshold();
    st.lockout_minutes = e.lockout_minutes();
  }

  void On(const schema::OrgRegistered& e) {
    const std::string_view id = Sv(e.org_id()), parent = Sv(e.parent_org_id());
    if (id.empty() || s_.FindOrg(id) != nullptr) return;
    Org* parent_org = nullptr;
    std::uint32_t parent_index = Org::kNoParent;
    if (!parent.empty()) {
      const auto found = s_.orgs.FindIndex(parent, s_.orgs.Hash(parent));
      if (!found) return;
      parent_index = *found;
      parent_org = &s_.orgs.at(parent_index);
    }
    Org org;
    org.id = OrgId(std::string(id));
    org.name = std::string(Sv(e.name()));
    org.kind = e.kind();
    org.parent = OrgId(std::string(parent));
    org.parent_index = parent_index;
    org.registered_at_us = now_;
    if (parent_org != nullptr) parent_org->children.push_back(org.id);
    s_.orgs.Insert(std::move(org));
  }

  void On(const schema::OrgAccessChanged& e) {
    if (Org* org = s_.orgs.Find(Sv(e.org_id()))) org->mode = e.mode();
  }

  void On(const schema::OrgAllowedLevelsSet& e) {
    Org* org = s_.orgs.Find(Sv(e.org_id()));
    if (org == nullptr) return;
    org->allowed_levels.clear();
    if (e.levels() != nullptr) {
      for (const auto* level : *e.levels()) org->allowed_levels.emplace_back(std::string(Sv(level)));
    }
    std::sort(org->allowed_levels.begin(), org->allowed_levels.end());
    org->allowed_levels.erase(std::unique(org->allowed_levels.begin(), org->allowed_levels.end()),
                              org->allowed_levels.end());
  }

  void On(const schema::LevelDefined& e) {
    const std::string_view id = Sv(e.level_id());
    if (id.empty() || FindPreset(id) != nullptr) return;
    Level level;
    level.id = LevelId(std::string(id));
    level.name = std::string(Sv(e.name()));
    if (e.capabilities() != nullptr) {
      for (const auto* entry : *e.capabilities()) {
        if (const auto parsed = ParseEntry(Sv(entry->capability()), Sv(entry->scope()))) {
          level.capabilities.Add(parsed->first, parsed->second);
        }
      }
    }
    s_.levels.insert_or_assign(std::string(id), std::move(level));
  }

  void On(const schema::UserCreated& e) {
    const std::string_view id = Sv(e.user_id()), username = Sv(e.username()), org = Sv(e.org_id());
    if (id.empty() || username.empty() || s_.FindUser(id) != nullptr || s_.FindUserByUsername(username) != nullptr ||
        s_.FindOrg(org) == nullptr) {
      return;
    }
    User user;
    user.id = UserId(std::string(id));
    user.org = OrgId(std::string(org));
    user.username = std::string(username);
    user.display_name = std::string(Sv(e.display_name()));
    user.email = std::string(Sv(e.email()));
    user.type = e.user_type();
    user.level = LevelId(std::string(Sv(e.level())));
    user.password_hash = std::string(Sv(e.password_hash()));
    user.must_reset_password = e.must_reset_password();
    user.created_at_us = now_;
    if (!user.password_hash.empty()) user.password_changed_at_us = now_;
    s_.user_by_username.emplace(std::string(username), std::string(id));
    IndexAdd(s_.users_by_org, org, id);
    s_.users.Insert(std::move(user));
  }

  void On(const schema::UserLevelChanged& e) {
    if (User* u = FindUser(e.user_id())) u->level = LevelId(std::string(Sv(e.level())));
  }

  void On(const schema::PermissionGranted& e) {
    User* u = FindUser(e.user_id());
    const auto parsed = ParseEntry(Sv(e.capability()), Sv(e.scope()));
    if (u == nullptr || !parsed) return;
    Grant grant{parsed->first, parsed->second, e.expires_at_us(), now_};
    for (Grant& g : u->grants) {
      if (g.capability == grant.capability && g.scope == grant.scope) {
        g = grant;
        return;
      }
    }
    u->grants.push_back(grant);
  }

  void On(const schema::PermissionRevoked& e) {
    User* u = FindUser(e.user_id());
    const auto cap = ParseCapability(Sv(e.capability()));
    if (u == nullptr || !cap) return;
    u->revoked |= 1u << static_cast<unsigned>(*cap);
    std::erase_if(u->grants, [&](const Grant& g) { return g.capability == *cap; });
  }

  void On(const schema::PasswordChanged& e) {
    if (User* u = FindUser(e.user_id())) {
      u->password_hash = std::string(Sv(e.password_hash()));
      u->must_reset_password = e.must_reset_password();
      u->password_changed_at_us = now_;
    }
  }

  void On(const schema::PasswordResetForced& e) {
    if (User* u = FindUser(e.user_id())) u->must_reset_password = true;
  }

  void On(const schema::LoginEnabledChanged& e) {
    if (User* u = FindUser(e.user_id())) u->login_enabled = e.enabled();
  }

  void On(const schema::UserArchived& e) {
    if (User* u = FindUser(e.user_id())) u->archived = true;
  }

  void On(const schema::SessionStarted& e) {
    User* u = FindUser(e.user_id());
    const std::string_view id = Sv(e.session_id());
    const std::string_view token = HashKey(e.token_hash());
    if (u == nullptr || id.empty() || s_.FindSession(id) != nullptr || s_.FindSessionByToken(token) != nullptr) return;
    Session session;
    session.id = SessionId(std::string(id));
    session.user = u->id;
    session.token_hash = std::string(token);
    session.impersonated_by = std::string(Sv(e.impersonated_by()));
    session.started_at_us = now_;
    session.idle_timeout_us = e.idle_timeout_us();
    session.absolute_expires_at_us = e.absolute_expires_at_us();
    if (session.impersonated_by.empty()) u->failed_logins = 0;  // a successful login
    u->sessions.emplace(id);
    s_.session_by_token.emplace(std::string(token), std::string(id));
    s_.sessions.emplace(std::string(id), std::move(session));
  }

  void On(const schema::LoginFailed& e) {
    User* u = FindUser(e.user_id());
    if (u != nullptr && e.reason() == schema::LoginFailureReason::BadPassword) {
      u->failed_logins = e.consecutive_failures();
    }
  }

  void On(const schema::UserLockedOut& e) {
    if (User* u = FindUser(e.user_id())) {
      u->locked_until_us = e.until_us();
      u->failed_logins = 0;  // after the lockout, a fresh count
    }
  }

  void On(const schema::SessionEnded& e) {
    const auto it = s_.sessions.find(Sv(e.session_id()));
    if (it == s_.sessions.end() || it->second.user.value() != Sv(e.user_id())) return;
    if (User* u = s_.users.Find(it->second.user.value())) u->sessions.erase(it->first);
    s_.session_by_token.erase(it->second.token_hash);
    s_.sessions.erase(it);
  }

  void On(const schema::ResourceUpserted& e) {
    const std::string_view id = Sv(e.resource_id()), org = Sv(e.org_id());
    if (id.empty() || org.empty()) return;
    const std::string_view assigned_org = Sv(e.assigned_org_id());
    const auto [found, index, added] =
        s_.resources.FindOrAdd(id, [](std::string_view v) { return ResourceId(std::string(v)); });
    Resource& r = *found;
    // The org indexes change only when an owner or assignee does: most upserts of an existing
    // resource (a new title or status) leave them alone, saving a set erase and insert each.
    const bool org_changed = added || r.org.value() != org;
    const bool assigned_org_changed = added || r.assigned_org.value() != assigned_org;
    if (!added) {
      if (org_changed) IndexRemove(s_.resources_by_org, r.org.value(), index);
      if (assigned_org_changed) IndexRemove(s_.resources_by_assigned_org, r.assigned_org.value(), index);
    }
    r.type = e.type();
    if (org_changed) r.org = OrgId(std::string(org));
    r.title.assign(Sv(e.title()));  // reuses the old title's buffer on an update
    r.status = e.status();
    r.contact = UserId(std::string(Sv(e.contact_user_id())));
    r.assigned_users.clear();
    if (const auto* users = e.assigned_user_ids(); users != nullptr && users->size() > 0) {
      r.assigned_users.reserve(users->size());
      for (const auto* user : *users) r.assigned_users.emplace_back(std::string(Sv(user)));
      if (r.assigned_users.size() > 1) {
        std::sort(r.assigned_users.begin(), r.assigned_users.end());
        r.assigned_users.erase(std::unique(r.assigned_users.begin(), r.assigned_users.end()), r.assigned_users.end());
      }
    }
    if (assigned_org_changed) r.assigned_org = OrgId(std::string(assigned_org));
    r.updated_at_us = now_;
    if (org_changed) IndexAdd(s_.resources_by_org, org, index);
    if (assigned_org_changed) IndexAdd(s_.resources_by_assigned_org, assigned_org, index);
  }

  void On(const schema::NoteShared& e) {
    const std::string_view id = Sv(e.note_id()), resource = Sv(e.resource_id());
    if (id.empty() || resource.empty() || s_.FindNote(id) != nullptr) return;
    Note note;
    note.id = NoteId(std::string(id));
    note.resource = ResourceId(std::string(resource));
    note.body = std::string(Sv(e.body()));
    note.visibility = e.visibility();
    note.author = UserId(std::string(Sv(e.author_user_id())));
    note.shared_at_us = now_;
    s_.notes_by_resource[std::string(resource)].emplace_back(id);
    s_.notes.Insert(std::move(note));
  }

  void On(const schema::NoteVisibilityChanged& e) {
    if (Note* n = s_.notes.Find(Sv(e.note_id()))) n->visibility = e.visibility();
  }

  AccessState& s_;
  const schema::Envelope& env_;
  const std::int64_t now_;
};

}  // namespace

void Evolve(AccessState& state, const schema::Envelope& envelope) {
  Folder(state, envelope).Apply();
  state.position = envelope.position();
}

Status EvolveBytes(AccessState& state, std::string_view bytes) {
  ASSIGN_OR_RETURN(const schema::Envelope* envelope, schemas::VerifyEnvelope(bytes));
  Evolve(state, *envelope);
  return Status::Ok();
}

}  // namespace portico::domain
