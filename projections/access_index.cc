#include "projections/access_index.h"

#include <algorithm>
#include <array>

#include "domain/evolve.h"

namespace portico::projections {
namespace {

using domain::Org;
using domain::Resource;

constexpr std::size_t kTypeCount = static_cast<std::size_t>(schema::ResourceType::MAX) + 1;
constexpr std::size_t kStatusCount = static_cast<std::size_t>(schema::ResourceStatus::MAX) + 1;

std::string_view Sv(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : std::string_view(s->c_str(), s->size());
}

// Whether the event would leave the resource's title, organisation, contact and assigned
// business as they are.
bool SameStringFields(const Resource& r, const schema::ResourceUpserted& e) {
  return r.title == Sv(e.title()) && r.org.value() == Sv(e.org_id()) && r.contact.value() == Sv(e.contact_user_id()) &&
         r.assigned_org.value() == Sv(e.assigned_org_id());
}

template <typename V>
const V* Find(const domain::StringMap<V>& map, std::string_view key) {
  const auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

// For one user and filter: the (type, status) pairs it holds a view capability for, and the
// union of the scopes it holds them with.
struct Viewable {
  std::array<std::array<bool, kStatusCount>, kTypeCount> pairs{};
  domain::ScopeMask scopes = 0;

  Viewable(const domain::CapabilitySet& caps, const ResourceFilter& filter) {
    for (std::size_t t = 0; t < kTypeCount; ++t) {
      for (std::size_t s = 0; s < kStatusCount; ++s) {
        const auto type = static_cast<schema::ResourceType>(t);
        const auto status = static_cast<schema::ResourceStatus>(s);
        if (!filter.Matches(type, status)) continue;
        const domain::ScopeMask held = caps.Scopes(domain::ViewCapabilityFor(type, status));
        pairs[t][s] = held != 0;
        scopes |= held;
      }
    }
  }
  bool Has(const Resource& r) const {
    const auto t = static_cast<std::size_t>(r.type), s = static_cast<std::size_t>(r.status);
    return t < kTypeCount && s < kStatusCount && pairs[t][s];
  }
};

// The capability of the catalogue with this name, by binary search over the names.
std::optional<domain::Capability> CapabilityByName(std::string_view name) {
  using Entry = std::pair<std::string_view, domain::Capability>;
  static const std::vector<Entry> kByName = [] {
    std::vector<Entry> v;
    for (const auto& info : domain::Catalogue()) v.emplace_back(info.name, info.id);
    std::sort(v.begin(), v.end());
    return v;
  }();
  const auto it = std::lower_bound(kByName.begin(), kByName.end(), name,
                                   [](const Entry& e, std::string_view n) { return e.first < n; });
  if (it == kByName.end() || it->first != name) return std::nullopt;
  return it->second;
}

}  // namespace

ResourceFilter ResourceFilter::Of(std::optional<schema::ResourceType> type,
                                  std::optional<schema::ResourceStatus> status) {
  ResourceFilter f;
  if (type) f.types = TypeBit(*type);
  if (status) f.statuses = StatusBit(*status);
  return f;
}

void AccessIndex::Fold(const schema::Envelope& event) {
  last_resource_change_ = {};
  if (event.body_type() != schema::EventBody::ResourceUpserted || event.body() == nullptr) {
    domain::Evolve(state_, event);
    return;
  }
  // Evolve may ignore the event, so compare the resource's assigned users before and after.
  // A resource never moves in the state (domain/entity_map.h), so `existing` stays valid.
  const std::string_view id = Sv(event.body_as_ResourceUpserted()->resource_id());
  const std::uint64_t hash = state_.resources.Hash(id);
  const Resource* existing = state_.resources.Find(id, hash);
  std::vector<domain::UserId> before;
  ResourceChange change;
  // The string fields are compared with the event before Evolve overwrites them (no copies);
  // type, status and assigned users with their saved values after.
  bool strings_changed = true;
  if (existing != nullptr) {
    if (!existing->assigned_users.empty()) before = existing->assigned_users;
    change.type_before = existing->type;
    change.status_before = existing->status;
    strings_changed = !SameStringFields(*existing, *event.body_as_ResourceUpserted());
  }
  domain::Evolve(state_, event);
  const auto index = state_.resources.FindIndex(id, hash);  // cached: just looked up or added
  if (!index) return;
  const Resource* r = &state_.resources.at(*index);
  const bool assigned_changed = r->assigned_users != before;
  if (assigned_changed) {
    IndexAssignedUsers(*index, before, /*add=*/false);
    IndexAssignedUsers(*index, r->assigned_users, /*add=*/true);
  }
  change.resource = r;
  change.changed = existing == nullptr || strings_changed || assigned_changed || change.type_before != r->type ||
                   change.status_before != r->status;
  last_resource_change_ = change;
}

void AccessIndex::Reserve(std::uint64_t events) {
  state_.resources.reserve(state_.resources.size() +
                           static_cast<std::size_t>(std::min(events, kMaxReservedResources)));
}

domain::CheckResult AccessIndex::Check(const domain::UserId& user, std::string_view capability,
                                       const domain::ResourceId* resource, std::int64_t now_us) const {
  // The user and the resource are each two cache misses away (slot, entity) in a large
  // model: prefetch both lookups side by side so that their misses overlap.
  const auto& users = state_.users;
  const auto& resources = state_.resources;
  const auto& orgs = state_.orgs;
  const std::uint64_t user_hash = users.Hash(user.value());
  const std::uint64_t resource_hash = resource != nullptr ? resources.Hash(resource->value()) : 0;
  users.PrefetchSlot(user_hash);
  if (resource != nullptr) resources.PrefetchSlot(resource_hash);
  users.PrefetchEntity(user_hash);
  if (resource != nullptr) resources.PrefetchEntity(resource_hash);
  const domain::User* u = users.Find(user.value(), user_hash);
  // The user's organisation next, while the resource may still be on its way.
  const std::uint64_t org_hash = u != nullptr ? orgs.Hash(u->org.value()) : 0;
  if (u != nullptr) orgs.PrefetchSlot(org_hash);
  const auto cap = CapabilityByName(capability);
  const Resource* r = resource != nullptr ? resources.Find(resource->value(), resource_hash) : nullptr;
  if (u == nullptr || !cap || (resource != nullptr && r == nullptr)) {
    return domain::Check(state_, user, capability, resource, now_us);  // the domain's own "unknown ..."
  }
  return domain::Check(state_, *u, orgs.Find(u->org.value(), org_hash), *cap, r, now_us);
}

void AccessIndex::IndexAssignedUsers(ResourceIndex resource, const std::vector<domain::UserId>& users, bool add) {
  for (const domain::UserId& user : users) {
    auto it = resources_by_assigned_user_.find(user.value());
    if (add) {
      if (it == resources_by_assigned_user_.end()) it = resources_by_assigned_user_.try_emplace(user.value()).first;
      it->second.emplace(resource);
    } else if (it != resources_by_assigned_user_.end()) {
      if (const auto member = it->second.find(resource); member != it->second.end()) it->second.erase(member);
      if (it->second.empty()) resources_by_assigned_user_.erase(it);
    }
  }
}

void AccessIndex::ForEachVisibleResource(const domain::User& user, const ResourceFilter& filter,
                                         std::int64_t now_us,
                                         const std::function<void(const Resource&)>& fn) const {
  const Org* org = state_.FindOrg(user.org.value());
  if (org == nullptr || !domain::CheckUserActive(state_, user, now_us).allowed) return;
  const Viewable viewable(domain::EffectiveCapabilities(state_, user, now_us), filter);
  if (viewable.scopes == 0) return;

  std::vector<const Org*> orgs;
  if (viewable.scopes & domain::Bit(domain::Scope::kOrgTree)) {
    orgs = state_.Subtree(*org);
  } else {
    orgs.push_back(org);
  }
  std::vector<const Resource*> candidates;
  int sources = 0;
  auto add = [&](const domain::IndexSet* resources) {
    if (resources == nullptr) return;
    ++sources;
    for (const ResourceIndex i : *resources) {
      const Resource& r = state_.resources.at(i);
      if (viewable.Has(r)) candidates.push_back(&r);
    }
  };
  for (const Org* o : orgs) add(Find(state_.resources_by_org, o->id.value()));
  if (org->kind == schema::OrgKind::Contractor) {
    for (const Org* o : orgs) add(Find(state_.resources_by_assigned_org, o->id.value()));
    add(Find(resources_by_assigned_user_, user.id.value()));
  }
  if (sources > 1) {  // a resource may be both owned by and assigned to the user's side
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  }
  for (const Resource* r : candidates) {
    if (domain::CanSeeResource(state_, user, *r, now_us).allowed) fn(*r);
  }
}

std::vector<std::uint64_t> AccessIndex::CountVisibleByType(const domain::User& user, const ResourceFilter& filter,
                                                           std::int64_t now_us) const {
  std::vector<std::uint64_t> counts(kTypeCount, 0);
  ForEachVisibleResource(user, filter, now_us,
                         [&](const Resource& r) { ++counts[static_cast<std::size_t>(r.type)]; });
  return counts;
}

void AccessIndex::ForEachVisibleNote(const domain::User& user, const Resource& resource, std::int64_t now_us,
                                     const std::function<void(const domain::Note&)>& fn) const {
  const auto* ids = Find(state_.notes_by_resource, resource.id.value());
  if (ids == nullptr) return;
  for (const std::string& id : *ids) {
    const domain::Note* note = state_.FindNote(id);
    if (note != nullptr && domain::CanSeeNote(state_, user, *note, now_us).allowed) fn(*note);
  }
}

void AccessIndex::MarkEndedHere(const std::vector<domain::SessionId>& sessions, Position ended_at) {
  if (ended_at.value() <= state_.position) return;  // the model has the end already
  for (const domain::SessionId& id : sessions) {
    auto [it, inserted] = ended_here_.try_emplace(id.value(), ended_at);
    if (!inserted) it->second = std::max(it->second, ended_at);
  }
}

bool AccessIndex::IsEndedHere(std::string_view session_id) const {
  return !ended_here_.empty() && ended_here_.find(session_id) != ended_here_.end();
}

void AccessIndex::ForgetEndedThrough(Position applied) {
  if (ended_here_.empty()) return;
  std::erase_if(ended_here_, [&](const auto& entry) { return entry.second <= applied; });
}

}  // namespace portico::projections
