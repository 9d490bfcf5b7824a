#include "replay/access_query.h"

#include <algorithm>

#include "replay/time_format.h"

namespace portico::replay {
namespace {

namespace json = boost::json;
using domain::Capability;
using domain::Scope;

// Appends the ids of the resources that `index` lists under `key`.
void AddAll(const domain::AccessState& state, const domain::StringMap<domain::IndexSet>& index, std::string_view key,
            std::vector<std::string>& out) {
  const auto it = index.find(key);
  if (it == index.end()) return;
  for (const auto i : it->second) out.push_back(state.resources.at(i).id.value());
}

}  // namespace

Permission Explain(const domain::AccessState& state, const domain::User& user, Capability capability, Scope scope,
                   std::int64_t now_us) {
  Permission p;
  p.capability = capability;
  p.scope = scope;
  const domain::Level* level = state.FindLevel(user.level.value());
  if (level != nullptr && !user.IsRevoked(capability) && (level->capabilities.Scopes(capability) & domain::Bit(scope))) {
    p.level = user.level.value();
    return p;
  }
  for (const domain::Grant& g : user.grants) {
    if (g.capability == capability && g.scope == scope && (g.expires_at_us == 0 || now_us < g.expires_at_us)) {
      p.from_grant = true;
      p.granted_at_us = g.granted_at_us;
      p.expires_at_us = g.expires_at_us;
      return p;
    }
  }
  p.level = user.level.value();  // not reached for an allowed capability
  return p;
}

std::vector<std::string> RelatedResources(const domain::AccessState& state, const domain::User& user) {
  std::vector<std::string> out;
  const domain::Org* org = state.FindOrg(user.org.value());
  if (org != nullptr) {
    for (const domain::Org* o : state.Subtree(*org)) {
      AddAll(state, state.resources_by_org, o->id.value(), out);
      if (org->kind == schema::OrgKind::Contractor) AddAll(state, state.resources_by_assigned_org, o->id.value(), out);
    }
  }
  if (org == nullptr || org->kind == schema::OrgKind::Contractor) {
    for (const domain::Resource& resource : state.resources) {
      if (resource.IsAssigned(user.id.value())) out.push_back(resource.id.value());
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<Capability> CapabilitiesFor(schema::ResourceType type) {
  std::vector<Capability> out;
  for (const domain::CapabilityInfo& info : domain::Catalogue()) {
    if (info.target == domain::Target::kAnyResource ||
        (info.target == domain::Target::kResourceType && info.type == type)) {
      out.push_back(info.id);
    }
  }
  return out;
}

UserAccess ComputeUserAccess(const domain::AccessState& state, const domain::User& user, std::int64_t now_us) {
  UserAccess access;
  access.user_id = user.id.value();
  access.active = domain::CheckUserActive(state, user, now_us);
  if (!access.active.allowed) return access;
  for (const domain::CapabilityInfo& info : domain::Catalogue()) {
    if (info.target != domain::Target::kFeature) continue;
    const domain::CheckResult r = domain::Check(state, user, info.id, nullptr, now_us);
    if (r.allowed) access.features.push_back(Explain(state, user, info.id, r.scope, now_us));
  }
  for (const std::string& id : RelatedResources(state, user)) {
    const domain::Resource& resource = *state.FindResource(id);
    ResourceAccess ra;
    ra.resource_id = id;
    for (Capability c : CapabilitiesFor(resource.type)) {
      const domain::CheckResult r = domain::Check(state, user, c, &resource, now_us);
      if (r.allowed) ra.permissions.push_back(Explain(state, user, c, r.scope, now_us));
    }
    if (ra.permissions.empty()) continue;
    const auto notes = state.notes_by_resource.find(id);
    if (notes != state.notes_by_resource.end()) {
      for (const std::string& note_id : notes->second) {
        const domain::Note* note = state.FindNote(note_id);
        if (note != nullptr && domain::CanSeeNote(state, user, *note, now_us).allowed) access.notes.push_back(note_id);
      }
    }
    access.resources.push_back(std::move(ra));
  }
  std::sort(access.notes.begin(), access.notes.end());
  return access;
}

std::vector<WhoCanEntry> WhoCan(const domain::AccessState& state, const domain::Resource& resource,
                                std::optional<Capability> capability, std::int64_t now_us, bool include_denied) {
  std::vector<const domain::User*> users;
  users.reserve(state.users.size());
  for (const domain::User& user : state.users) users.push_back(&user);
  std::sort(users.begin(), users.end(), [](const auto* a, const auto* b) { return a->id < b->id; });
  const std::vector<Capability> capabilities =
      capability ? std::vector<Capability>{*capability} : CapabilitiesFor(resource.type);
  std::vector<WhoCanEntry> out;
  for (const domain::User* user : users) {
    WhoCanEntry entry;
    entry.user_id = user->id.value();
    for (Capability c : capabilities) {
      domain::CheckResult r = domain::Check(state, *user, c, &resource, now_us);
      if (r.allowed) {
        entry.permissions.push_back(Explain(state, *user, c, r.scope, now_us));
      } else if (include_denied) {
        entry.denied.emplace_back(c, std::move(r));
      }
    }
    if (!entry.permissions.empty() || (include_denied && !entry.denied.empty())) out.push_back(std::move(entry));
  }
  return out;
}

boost::json::object PermissionJson(const Permission& p) {
  json::object out;
  out["capability"] = std::string(domain::CapabilityName(p.capability));
  out["scope"] = std::string(domain::ScopeName(p.scope));
  if (p.from_grant) {
    out["via"] = "grant";
    out["granted_at"] = FormatTime(p.granted_at_us);
    out["expires_at"] = p.expires_at_us == 0 ? json::value(nullptr) : json::value(FormatTime(p.expires_at_us));
  } else {
    out["via"] = "level";
    out["level"] = p.level;
  }
  return out;
}

void WriteCheck(JsonWriter& w, const domain::CheckResult& result) {
  w.BeginObject();
  w.Field("allowed", result.allowed);
  w.Field("reason", domain::ReasonName(result.reason));
  w.Field("detail", result.detail);
  w.EndObject();
}

boost::json::object CheckJson(const domain::CheckResult& result) {
  return ToJsonObject([&](JsonWriter& w) { WriteCheck(w, result); });
}

boost::json::object UserAccessJson(const domain::AccessState& state, const UserAccess& access) {
  json::object out;
  const domain::User* user = state.FindUser(access.user_id);
  out["user"] = access.user_id;
  if (user != nullptr) {
    out["org"] = user->org.value();
    out["level"] = user->level.value();
  }
  out["portal_access"] = CheckJson(access.active);
  json::array features;
  for (const Permission& p : access.features) features.push_back(PermissionJson(p));
  out["capabilities"] = std::move(features);
  json::array resources;
  for (const ResourceAccess& ra : access.resources) {
    const domain::Resource* r = state.FindResource(ra.resource_id);
    json::array perms;
    for (const Permission& p : ra.permissions) perms.push_back(PermissionJson(p));
    resources.push_back(json::object{{"resource", ra.resource_id},
                                     {"type", std::string(domain::ResourceTypeName(r->type))},
                                     {"org", r->org.value()},
                                     {"permissions", std::move(perms)}});
  }
  out["resources"] = std::move(resources);
  json::array notes;
  for (const std::string& id : access.notes) notes.emplace_back(id);
  out["notes"] = std::move(notes);
  return out;
}

}  // namespace portico::replay
