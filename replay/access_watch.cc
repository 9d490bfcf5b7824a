#include "replay/access_watch.h"

#include <algorithm>
#include <set>

#include "domain/check.h"
#include "replay/access_query.h"
#include "replay/event_json.h"

namespace portico::replay {
namespace {

namespace json = boost::json;
using schema::EventBody;

std::string_view Sv(const flatbuffers::String* s) { return s == nullptr ? std::string_view() : s->string_view(); }

std::string_view StreamOf(const schema::Envelope& e) { return Sv(e.stream_id()); }

// The org a body of an org event names.
std::string_view OrgOf(const schema::Envelope& e) {
  switch (e.body_type()) {
    case EventBody::OrgRegistered: return Sv(e.body_as_OrgRegistered()->org_id());
    case EventBody::OrgAccessChanged: return Sv(e.body_as_OrgAccessChanged()->org_id());
    case EventBody::OrgAllowedLevelsSet: return Sv(e.body_as_OrgAllowedLevelsSet()->org_id());
    default: return {};
  }
}

std::string_view ResourceOf(const schema::Envelope& e, const domain::AccessState& state) {
  switch (e.body_type()) {
    case EventBody::ResourceUpserted: return Sv(e.body_as_ResourceUpserted()->resource_id());
    case EventBody::NoteShared: return Sv(e.body_as_NoteShared()->resource_id());
    case EventBody::NoteVisibilityChanged: {
      const domain::Note* note = state.FindNote(Sv(e.body_as_NoteVisibilityChanged()->note_id()));
      return note == nullptr ? std::string_view() : std::string_view(note->resource.value());
    }
    default: return {};
  }
}

std::string_view NoteOf(const schema::Envelope& e) {
  switch (e.body_type()) {
    case EventBody::NoteShared: return Sv(e.body_as_NoteShared()->note_id());
    case EventBody::NoteVisibilityChanged: return Sv(e.body_as_NoteVisibilityChanged()->note_id());
    default: return {};
  }
}

bool IsOrgEvent(const schema::Envelope& e) { return !OrgOf(e).empty(); }

// True when `org_id` is `descendant` or one of its ancestors.
bool IsAncestorOrSelf(const domain::AccessState& state, std::string_view org_id, std::string_view descendant) {
  return !org_id.empty() && state.InTree(descendant, org_id);
}

std::string ModeName(schema::AccessMode mode) { return schemas::SnakeCaseName(schema::EnumNameAccessMode(mode)); }

json::array CapabilityList(const std::vector<std::pair<domain::Capability, domain::Scope>>& entries) {
  json::array out;
  for (const auto& [c, s] : entries) {
    out.push_back(json::object{{"capability", std::string(domain::CapabilityName(c))},
                               {"scope", std::string(domain::ScopeName(s))}});
  }
  return out;
}

// ---- user -------------------------------------------------------------------------------

class UserWatch final : public AccessWatch {
 public:
  explicit UserWatch(std::string id) : id_(std::move(id)), stream_("user:" + id_) {}

  void Before(const schema::Envelope& e, const domain::AccessState& state) override {
    relevant_ = false;
    const domain::User* user = state.FindUser(id_);
    if (StreamOf(e) == stream_) {
      relevant_ = true;
    } else if (user != nullptr) {
      if (e.body_type() == EventBody::ProviderSettingsChanged) relevant_ = true;
      if (IsOrgEvent(e) && e.body_type() != EventBody::OrgRegistered &&
          IsAncestorOrSelf(state, OrgOf(e), user->org.value())) {
        relevant_ = true;
      }
      if (e.body_type() == EventBody::LevelDefined && Sv(e.body_as_LevelDefined()->level_id()) == user->level.value()) {
        relevant_ = true;
      }
    }
    if (relevant_) {
      Snapshot(state, e.recorded_at_us(), active_before_, caps_before_);
      return;
    }
    visible_before_ = Visible(e, state, user);
  }

  std::optional<json::object> After(const schema::Envelope& e, const domain::AccessState& state) override {
    const domain::User* user = state.FindUser(id_);
    if (relevant_) {
      std::optional<domain::CheckResult> active_after;
      std::vector<std::pair<domain::Capability, domain::Scope>> caps_after;
      Snapshot(state, e.recorded_at_us(), active_after, caps_after);
      json::object effect;
      if (active_after && (!active_before_ || active_before_->allowed != active_after->allowed ||
                           active_before_->reason != active_after->reason)) {
        effect["portal_access"] = CheckJson(*active_after);
      }
      std::vector<std::pair<domain::Capability, domain::Scope>> gained, lost;
      std::set_difference(caps_after.begin(), caps_after.end(), caps_before_.begin(), caps_before_.end(),
                          std::back_inserter(gained));
      std::set_difference(caps_before_.begin(), caps_before_.end(), caps_after.begin(), caps_after.end(),
                          std::back_inserter(lost));
      if (!gained.empty()) effect["capabilities_gained"] = CapabilityList(gained);
      if (!lost.empty()) effect["capabilities_lost"] = CapabilityList(lost);
      return effect;
    }
    const std::optional<bool> after = Visible(e, state, user);
    if (visible_before_.value_or(false) == after.value_or(false)) return std::nullopt;
    const std::string_view note = NoteOf(e);
    json::object effect;
    if (note.empty()) {
      effect["resource"] = std::string(ResourceOf(e, state));
    } else {
      effect["note"] = std::string(note);
    }
    effect["visible"] = after.value_or(false);
    return effect;
  }

 private:
  void Snapshot(const domain::AccessState& state, std::int64_t now, std::optional<domain::CheckResult>& active,
                std::vector<std::pair<domain::Capability, domain::Scope>>& caps) const {
    active.reset();
    caps.clear();
    const domain::User* user = state.FindUser(id_);
    if (user == nullptr) return;
    active = domain::CheckUserActive(state, *user, now);
    caps = domain::EffectiveCapabilities(state, *user, now).Entries();
  }

  // Whether the user can see what a resource or note event is about (nullopt: not such an event).
  std::optional<bool> Visible(const schema::Envelope& e, const domain::AccessState& state,
                              const domain::User* user) const {
    if (user == nullptr) return std::nullopt;
    const std::string_view note_id = NoteOf(e);
    if (!note_id.empty()) {
      const domain::Note* note = state.FindNote(note_id);
      return note != nullptr && domain::CanSeeNote(state, *user, *note, e.recorded_at_us()).allowed;
    }
    if (e.body_type() != EventBody::ResourceUpserted) return std::nullopt;
    const domain::Resource* r = state.FindResource(ResourceOf(e, state));
    return r != nullptr && domain::CanSeeResource(state, *user, *r, e.recorded_at_us()).allowed;
  }

  const std::string id_, stream_;
  bool relevant_ = false;
  std::optional<domain::CheckResult> active_before_;
  std::vector<std::pair<domain::Capability, domain::Scope>> caps_before_;
  std::optional<bool> visible_before_;
};

// ---- organisation -----------------------------------------------------------------------

class OrgWatch final : public AccessWatch {
 public:
  explicit OrgWatch(std::string id) : id_(std::move(id)) {}

  void Before(const schema::Envelope& e, const domain::AccessState& state) override {
    relevant_ = Relevant(e, state);
    const domain::Org* org = state.FindOrg(id_);
    mode_before_ = org == nullptr ? std::nullopt : std::optional(state.EffectiveMode(*org));
  }

  std::optional<json::object> After(const schema::Envelope& e, const domain::AccessState& state) override {
    if (!relevant_ && !Relevant(e, state)) return std::nullopt;
    json::object effect;
    const domain::Org* org = state.FindOrg(id_);
    if (org != nullptr) {
      const schema::AccessMode after = state.EffectiveMode(*org);
      if (!mode_before_ || *mode_before_ != after) effect["effective_access_mode"] = ModeName(after);
    }
    return effect;
  }

 private:
  bool Relevant(const schema::Envelope& e, const domain::AccessState& state) const {
    if (e.body_type() == EventBody::ProviderSettingsChanged) return true;
    if (IsOrgEvent(e)) return OrgOf(e) == id_ || (e.body_type() != EventBody::OrgRegistered &&
                                                  IsAncestorOrSelf(state, OrgOf(e), id_));
    const std::string_view stream = StreamOf(e);
    if (stream.rfind("user:", 0) == 0) {
      const domain::User* user = state.FindUser(stream.substr(5));
      return user != nullptr && user->org.value() == id_;
    }
    if (e.body_type() == EventBody::ResourceUpserted) {
      const domain::Resource* r = state.FindResource(ResourceOf(e, state));
      return r != nullptr && (r->org.value() == id_ || r->assigned_org.value() == id_);
    }
    if (e.body_type() == EventBody::LevelDefined) {
      const auto users = state.users_by_org.find(id_);
      if (users == state.users_by_org.end()) return false;
      const std::string_view level = Sv(e.body_as_LevelDefined()->level_id());
      for (const std::string& uid : users->second) {
        const domain::User* u = state.FindUser(uid);
        if (u != nullptr && u->level.value() == level) return true;
      }
    }
    return false;
  }

  const std::string id_;
  bool relevant_ = false;
  std::optional<schema::AccessMode> mode_before_;
};

// ---- resource ---------------------------------------------------------------------------

class ResourceWatch final : public AccessWatch {
 public:
  explicit ResourceWatch(std::string id) : id_(std::move(id)), stream_("resource:" + id_) {}

  void Before(const schema::Envelope& e, const domain::AccessState& state) override {
    own_ = StreamOf(e) == stream_ || ResourceOf(e, state) == id_;
    before_ = VisibleTo(state, e, e.recorded_at_us());
  }

  std::optional<json::object> After(const schema::Envelope& e, const domain::AccessState& state) override {
    own_ = own_ || ResourceOf(e, state) == id_;
    const std::set<std::string> after = VisibleTo(state, e, e.recorded_at_us());
    std::vector<std::string> added, removed;
    std::set_difference(after.begin(), after.end(), before_.begin(), before_.end(), std::back_inserter(added));
    std::set_difference(before_.begin(), before_.end(), after.begin(), after.end(), std::back_inserter(removed));
    if (!own_ && added.empty() && removed.empty()) return std::nullopt;
    json::object effect;
    if (!added.empty()) effect["visible_to_added"] = json::array(added.begin(), added.end());
    if (!removed.empty()) effect["visible_to_removed"] = json::array(removed.begin(), removed.end());
    return effect;
  }

 private:
  // The users who can see the resource, among those the event may concern: the user of a user
  // stream's event, nobody for a note event (it changes no resource visibility), else every
  // user the check could relate to the resource (anyone else cannot see it, before or after).
  std::set<std::string> VisibleTo(const domain::AccessState& state, const schema::Envelope& e, std::int64_t now) const {
    std::set<std::string> out;
    const domain::Resource* r = state.FindResource(id_);
    if (r == nullptr) return out;
    std::vector<const domain::User*> candidates;
    const std::string_view stream = StreamOf(e);
    if (stream.rfind("user:", 0) == 0) {
      if (const domain::User* u = state.FindUser(stream.substr(5))) candidates.push_back(u);
    } else if (e.body_type() != EventBody::NoteShared && e.body_type() != EventBody::NoteVisibilityChanged) {
      Candidates(state, *r, candidates);
    }
    for (const domain::User* u : candidates) {
      if (domain::CanSeeResource(state, *u, *r, now).allowed) out.insert(u->id.value());
    }
    return out;
  }

  // Users of the orgs on R's ancestor chains (owner and assignee), its assigned users and contact.
  static void Candidates(const domain::AccessState& state, const domain::Resource& r,
                         std::vector<const domain::User*>& out) {
    std::set<std::string> ids;
    for (const std::string& start : {r.org.value(), r.assigned_org.value()}) {
      const domain::Org* org = state.FindOrg(start);
      for (int depth = 0; org != nullptr && depth < domain::kMaxOrgDepth; ++depth) {
        const auto users = state.users_by_org.find(org->id.value());
        if (users != state.users_by_org.end()) ids.insert(users->second.begin(), users->second.end());
        org = state.Parent(*org);
      }
    }
    for (const auto& u : r.assigned_users) ids.insert(u.value());
    if (!r.contact.value().empty()) ids.insert(r.contact.value());
    for (const std::string& id : ids) {
      if (const domain::User* u = state.FindUser(id)) out.push_back(u);
    }
  }

  const std::string id_, stream_;
  bool own_ = false;
  std::set<std::string> before_;
};

}  // namespace

std::unique_ptr<AccessWatch> AccessWatch::Make(Subject subject, std::string id) {
  switch (subject) {
    case Subject::kUser: return std::make_unique<UserWatch>(std::move(id));
    case Subject::kOrg: return std::make_unique<OrgWatch>(std::move(id));
    case Subject::kResource: return std::make_unique<ResourceWatch>(std::move(id));
  }
  return nullptr;
}

}  // namespace portico::replay
