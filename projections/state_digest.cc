#include "projections/state_digest.h"

#include <algorithm>
#include <set>
#include <string_view>
#include <vector>

#include <sodium.h>

namespace portico::projections {
namespace {

using namespace portico::domain;

// Buffers the canonical bytes and feeds them to BLAKE2b in large chunks.
class Hasher {
 public:
  Hasher() { crypto_generichash_init(&state_, nullptr, 0, 32); }

  void U64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) buf_.push_back(static_cast<char>(v >> (8 * i)));
    MaybeFlush();
  }
  void I64(std::int64_t v) { U64(static_cast<std::uint64_t>(v)); }
  template <typename E>
  void Enum(E v) { U64(static_cast<std::uint64_t>(v)); }
  void Str(std::string_view s) {
    U64(s.size());
    buf_.append(s);
    MaybeFlush();
  }
  template <typename Tag>
  void Str(const StrongType<Tag, std::string>& id) { Str(id.value()); }

  schemas::Hash Finish() {
    Flush();
    schemas::Hash out{};
    crypto_generichash_final(&state_, out.data(), out.size());
    return out;
  }

 private:
  void MaybeFlush() {
    if (buf_.size() >= (1u << 16)) Flush();
  }
  void Flush() {
    crypto_generichash_update(&state_, reinterpret_cast<const unsigned char*>(buf_.data()), buf_.size());
    buf_.clear();
  }

  crypto_generichash_state state_;
  std::string buf_;
};

// The entries of a map keyed by strings (a StringMap or a plain unordered_map), sorted by key.
template <typename Map>
std::vector<const typename Map::value_type*> Sorted(const Map& map) {
  std::vector<const typename Map::value_type*> out;
  out.reserve(map.size());
  for (const auto& entry : map) out.push_back(&entry);
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  return out;
}

// A set of ids: its size, then the ids in order.
void WriteIds(Hasher& h, std::vector<std::string_view> ids) {
  std::sort(ids.begin(), ids.end());
  h.U64(ids.size());
  for (std::string_view id : ids) h.Str(id);
}

void Write(Hasher& h, const StringSet& set) { WriteIds(h, std::vector<std::string_view>(set.begin(), set.end())); }

template <typename T>
void WriteList(Hasher& h, const std::vector<T>& list) {
  h.U64(list.size());
  for (const T& item : list) h.Str(item);
}

void Write(Hasher& h, const CapabilitySet& caps) {
  const auto entries = caps.Entries();
  h.U64(entries.size());
  for (const auto& [capability, scope] : entries) {
    h.Enum(capability);
    h.Enum(scope);
  }
}

void Write(Hasher& h, const Settings& s) {
  h.U64(s.portal_enabled);
  h.Enum(s.self_registration);
  h.U64(s.password_min_length);
  h.U64(s.session_idle_minutes);
  h.U64(s.session_absolute_hours);
  h.U64(s.lockout_threshold);
  h.U64(s.lockout_minutes);
}

void Write(Hasher& h, const Org& o) {
  h.Str(o.id);
  h.Str(o.name);
  h.Enum(o.kind);
  h.Str(o.parent);
  h.Enum(o.mode);
  WriteList(h, o.allowed_levels);
  WriteList(h, o.children);
  h.I64(o.registered_at_us);
}

void Write(Hasher& h, const Level& l) {
  h.Str(l.id);
  h.Str(l.name);
  Write(h, l.capabilities);
  h.U64(l.preset);
  h.Str(l.seed);
}

void Write(Hasher& h, const User& u) {
  h.Str(u.id);
  h.Str(u.org);
  h.Str(u.username);
  h.Str(u.display_name);
  h.Str(u.email);
  h.Str(u.phone);
  h.Enum(u.type);
  h.Str(u.level);
  h.Str(u.password_hash);
  h.U64(u.must_reset_password);
  h.U64(u.login_enabled);
  h.U64(u.archived);
  h.U64(u.failed_logins);
  h.I64(u.locked_until_us);
  h.U64(u.grants.size());
  for (const Grant& g : u.grants) {
    h.Enum(g.capability);
    h.Enum(g.scope);
    h.I64(g.expires_at_us);
    h.I64(g.granted_at_us);
  }
  h.U64(u.revoked);
  h.U64(u.sessions.size());
  for (const std::string& s : u.sessions) h.Str(s);  // std::set: sorted
  h.I64(u.created_at_us);
  h.I64(u.password_changed_at_us);
}

void Write(Hasher& h, const Resource& r) {
  h.Str(r.id);
  h.Enum(r.type);
  h.Str(r.org);
  h.Str(r.title);
  h.Enum(r.status);
  h.Str(r.contact);
  WriteList(h, r.assigned_users);
  h.Str(r.assigned_org);
  h.I64(r.updated_at_us);
}

void Write(Hasher& h, const Note& n) {
  h.Str(n.id);
  h.Str(n.resource);
  h.Str(n.body);
  h.Enum(n.visibility);
  h.Str(n.author);
  h.I64(n.shared_at_us);
}

void Write(Hasher& h, const Session& s) {
  h.Str(s.id);
  h.Str(s.user);
  h.Str(s.token_hash);
  h.Str(s.impersonated_by);
  h.I64(s.started_at_us);
  h.I64(s.idle_timeout_us);
  h.I64(s.absolute_expires_at_us);
}

void Write(Hasher& h, const RegistrationCode& c) {
  h.Str(c.org);
  h.Str(c.code_hash);
  h.Str(c.level);
}

void Write(Hasher& h, const Registration& r) {
  h.Str(r.user_id);
  h.Str(r.org);
  h.Str(r.username);
  h.Str(r.display_name);
  h.Str(r.email);
  h.Str(r.level);
  h.Str(r.password_hash);
  h.Enum(r.status);
  h.Str(r.reason);
  h.I64(r.requested_at_us);
  h.I64(r.decided_at_us);
}

void Write(Hasher& h, const ImportSummary& i) {
  h.Str(i.import_id);
  h.Str(i.org);
  h.Str(i.file_name);
  h.Str(i.file_hash);
  h.Str(i.actor);
  h.U64(i.rows_total);
  h.U64(i.created);
  h.U64(i.rejected);
  h.U64(i.without_password);
  h.I64(i.imported_at_us);
  h.U64(i.position);
}

void Write(Hasher& h, const AlertSubscriptionEntry& e) {
  h.Str(e.kind);
  h.U64(e.in_portal);
  h.U64(e.email);
}

void Write(Hasher& h, const PasswordReset& r) {
  h.Str(r.user_id);
  h.Str(r.token_hash);
  h.I64(r.requested_at_us);
  h.I64(r.expires_at_us);
}

void Write(Hasher& h, const std::string& s) { h.Str(s); }
void Write(Hasher& h, std::size_t n) { h.U64(n); }

// A vector in its own order (Evolve keeps it deterministic: the order of the events).
template <typename T>
void Write(Hasher& h, const std::vector<T>& list) {
  h.U64(list.size());
  for (const T& item : list) Write(h, item);
}

void Write(Hasher& h, const AlertSet& a) {
  h.Str(a.id);
  h.Str(a.name);
  Write(h, a.subscriptions);
}

// A map keyed by strings: a tag naming it, its size, then key and value of each entry in
// key order.
template <typename Map>
void WriteMap(Hasher& h, std::string_view tag, const Map& map) {
  h.Str(tag);
  h.U64(map.size());
  for (const auto* entry : Sorted(map)) {
    h.Str(entry->first);
    Write(h, entry->second);
  }
}

// The same for entities keyed by their ids: the bytes a StringMap of them would give.
template <typename V>
void WriteMap(Hasher& h, std::string_view tag, const domain::EntityMap<V>& map) {
  std::vector<const V*> sorted;
  sorted.reserve(map.size());
  for (const V& v : map) sorted.push_back(&v);
  std::sort(sorted.begin(), sorted.end(), [](const V* a, const V* b) { return a->id.value() < b->id.value(); });
  h.Str(tag);
  h.U64(map.size());
  for (const V* v : sorted) {
    h.Str(v->id.value());
    Write(h, *v);
  }
}

// An index of resources by organisation: the bytes that the same index holding the
// resources' ids (a StringMap of StringSets) would give.
void WriteResourceIndex(Hasher& h, std::string_view tag, const StringMap<domain::IndexSet>& map,
                        const domain::EntityMap<domain::Resource>& resources) {
  h.Str(tag);
  h.U64(map.size());
  for (const auto* entry : Sorted(map)) {
    h.Str(entry->first);
    std::vector<std::string_view> ids;
    ids.reserve(entry->second.size());
    for (const auto i : entry->second) ids.push_back(resources.at(i).id.value());
    WriteIds(h, std::move(ids));
  }
}

void WriteWorkflows(Hasher& h, const WorkflowState& w) {
  WriteMap(h, "codes_by_org", w.codes_by_org);
  WriteMap(h, "org_by_code_hash", w.org_by_code_hash);
  WriteMap(h, "registrations", w.registrations);
  WriteMap(h, "pending_by_username", w.pending_by_username);
  h.Str("imports");
  Write(h, w.imports);
  WriteMap(h, "import_index", w.import_index);
}

void WriteAlerting(Hasher& h, const AlertingState& a) {
  WriteMap(h, "alert_sets", a.alert_sets);
  WriteMap(h, "subscriptions", a.subscriptions);
  WriteMap(h, "assigned_sets", a.assigned_sets);
  WriteMap(h, "resets", a.resets);
  WriteMap(h, "reset_by_token", a.reset_by_token);
}

}  // namespace

schemas::Hash DigestAccessState(const AccessState& s) {
  Hasher h;
  h.Str("portico.access.v1");
  Write(h, s.settings);
  WriteMap(h, "orgs", s.orgs);
  WriteMap(h, "levels", s.levels);
  WriteMap(h, "users", s.users);
  WriteMap(h, "resources", s.resources);
  WriteMap(h, "notes", s.notes);
  WriteMap(h, "sessions", s.sessions);
  WriteMap(h, "user_by_username", s.user_by_username);
  WriteMap(h, "users_by_org", s.users_by_org);
  WriteResourceIndex(h, "resources_by_org", s.resources_by_org, s.resources);
  WriteResourceIndex(h, "resources_by_assigned_org", s.resources_by_assigned_org, s.resources);
  WriteMap(h, "notes_by_resource", s.notes_by_resource);
  WriteMap(h, "session_by_token", s.session_by_token);
  WriteWorkflows(h, s.workflows);
  WriteAlerting(h, s.alerting);
  h.U64(s.position);
  return h.Finish();
}

}  // namespace portico::projections
