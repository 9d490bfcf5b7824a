#include "domain/state.h"

#include <algorithm>

#include "domain/presets.h"

namespace portico::domain {
namespace {

template <typename V>
const V* Find(const StringMap<V>& map, std::string_view id) {
  const auto it = map.find(id);
  return it == map.end() ? nullptr : &it->second;
}

int Openness(schema::AccessMode mode) {
  switch (mode) {
    case schema::AccessMode::Disabled: return 0;
    case schema::AccessMode::Restricted: return 1;
    case schema::AccessMode::Enabled: return 2;
  }
  return 0;
}

}  // namespace

bool Resource::IsAssigned(std::string_view user_id) const {
  const auto it = std::lower_bound(assigned_users.begin(), assigned_users.end(), user_id,
                                   [](const UserId& a, std::string_view b) { return a.value() < b; });
  return it != assigned_users.end() && it->value() == user_id;
}

bool Session::ExpiredAt(std::int64_t now_us, std::int64_t last_seen_us) const {
  if (now_us >= absolute_expires_at_us) return true;
  const std::int64_t last = std::max(started_at_us, last_seen_us);
  return idle_timeout_us > 0 && now_us - last >= idle_timeout_us;
}

const Org* AccessState::FindOrg(std::string_view id) const { return orgs.Find(id); }
const User* AccessState::FindUser(std::string_view id) const { return users.Find(id); }
const Resource* AccessState::FindResource(std::string_view id) const { return resources.Find(id); }
const Note* AccessState::FindNote(std::string_view id) const { return notes.Find(id); }
const Session* AccessState::FindSession(std::string_view id) const { return Find(sessions, id); }

const User* AccessState::FindUserByUsername(std::string_view canonical_username) const {
  const std::string* id = Find(user_by_username, canonical_username);
  return id == nullptr ? nullptr : FindUser(*id);
}

const Session* AccessState::FindSessionByToken(std::string_view token_hash) const {
  const std::string* id = Find(session_by_token, token_hash);
  return id == nullptr ? nullptr : FindSession(*id);
}

const Level* AccessState::FindLevel(std::string_view id) const {
  if (const Level* preset = FindPreset(id)) return preset;
  return Find(levels, id);
}

schema::AccessMode AccessState::EffectiveMode(const Org& org, const Org** blocking) const {
  const Org* current = &org;
  const Org* worst = &org;
  for (int depth = 0; current != nullptr && depth < kMaxOrgDepth; ++depth) {
    if (Openness(current->mode) < Openness(worst->mode)) worst = current;
    current = Parent(*current);
  }
  if (blocking != nullptr) *blocking = worst;
  return worst->mode;
}

bool AccessState::InTree(std::string_view org_id, std::string_view root_id) const {
  const Org* current = FindOrg(org_id);
  for (int depth = 0; current != nullptr && depth < kMaxOrgDepth; ++depth) {
    if (current->id.value() == root_id) return true;
    current = Parent(*current);
  }
  return false;
}

std::vector<const Org*> AccessState::Subtree(const Org& root) const {
  std::vector<const Org*> out{&root};
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (const OrgId& child : out[i]->children) {
      if (const Org* c = FindOrg(child.value())) out.push_back(c);
    }
  }
  return out;
}

}  // namespace portico::domain
