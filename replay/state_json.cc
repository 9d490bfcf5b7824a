#include "replay/state_json.h"

#include "domain/check.h"
#include "replay/access_query.h"
#include "replay/event_json.h"

namespace portico::replay {
namespace {

void WriteCapabilities(JsonWriter& w, const domain::CapabilitySet& set) {
  w.BeginArray();
  for (const auto& [capability, scope] : set.Entries()) {
    w.BeginObject();
    w.Field("capability", domain::CapabilityName(capability));
    w.Field("scope", domain::ScopeName(scope));
    w.EndObject();
  }
  w.EndArray();
}

void WriteMode(JsonWriter& w, std::string_view key, schema::AccessMode mode) {
  w.Field(key, schemas::SnakeCaseName(schema::EnumNameAccessMode(mode)));
}

void WriteLevel(JsonWriter& w, const domain::Level& level) {
  w.BeginObject();
  w.Field("id", level.id.value());
  w.Field("name", level.name);
  w.Key("capabilities");
  WriteCapabilities(w, level.capabilities);
  w.EndObject();
}

void WriteResource(JsonWriter& w, const domain::Resource& r) {
  w.BeginObject();
  w.Field("id", r.id.value());
  w.Field("type", domain::ResourceTypeName(r.type));
  w.Field("org", r.org.value());
  w.Field("status", domain::ResourceStatusName(r.status));
  w.Field("contact", r.contact.value());
  w.Key("assigned_users");
  w.BeginArray();
  for (const auto& u : r.assigned_users) w.Value(u.value());
  w.EndArray();
  w.Field("assigned_org", r.assigned_org.value());
  w.EndObject();
}

void WriteNote(JsonWriter& w, const domain::Note& n) {
  w.BeginObject();
  w.Field("id", n.id.value());
  w.Field("resource", n.resource.value());
  w.Field("visibility", schemas::SnakeCaseName(schema::EnumNameNoteVisibility(n.visibility)));
  w.Field("author", n.author.value());
  w.EndObject();
}

// "key": [every value of `map`, sorted by id, written by `write`].
template <typename Map, typename Write>
void WriteSorted(JsonWriter& w, std::string_view key, const Map& map, Write write) {
  w.Key(key);
  w.BeginArray();
  for (const auto* v : SortedValues(map)) write(*v);
  w.EndArray();
}

}  // namespace

void WriteSettings(JsonWriter& w, const domain::Settings& s) {
  w.BeginObject();
  w.Field("portal_enabled", s.portal_enabled);
  w.Field("self_registration", schemas::SnakeCaseName(schema::EnumNameSelfRegistration(s.self_registration)));
  w.Field("password_min_length", s.password_min_length);
  w.Field("session_idle_minutes", s.session_idle_minutes);
  w.Field("session_absolute_hours", s.session_absolute_hours);
  w.Field("lockout_threshold", s.lockout_threshold);
  w.Field("lockout_minutes", s.lockout_minutes);
  w.EndObject();
}

void WriteOrg(JsonWriter& w, const domain::AccessState& state, const domain::Org& org) {
  const domain::Org* blocking = nullptr;
  const schema::AccessMode effective = state.EffectiveMode(org, &blocking);
  w.BeginObject();
  w.Field("id", org.id.value());
  w.Field("name", org.name);
  w.Field("kind", schemas::SnakeCaseName(schema::EnumNameOrgKind(org.kind)));
  w.Key("parent");
  if (org.parent.value().empty()) {
    w.Value(nullptr);
  } else {
    w.Value(org.parent.value());
  }
  WriteMode(w, "access_mode", org.mode);
  WriteMode(w, "effective_access_mode", effective);
  w.Key("allowed_levels");
  w.BeginArray();
  for (const auto& level : org.allowed_levels) w.Value(level.value());
  w.EndArray();
  w.TimeField("registered_at", org.registered_at_us);
  if (blocking != nullptr && blocking != &org) w.Field("access_limited_by", blocking->id.value());
  w.EndObject();
}

void WriteUser(JsonWriter& w, const domain::AccessState& state, const domain::User& user, std::int64_t now_us) {
  w.BeginObject();
  w.Field("id", user.id.value());
  w.Field("org", user.org.value());
  w.Field("username", user.username);
  w.Field("display_name", user.display_name);
  w.Field("type", schemas::SnakeCaseName(schema::EnumNameUserType(user.type)));
  w.Field("level", user.level.value());
  w.Field("login_enabled", user.login_enabled);
  w.Field("archived", user.archived);
  w.Field("must_reset_password", user.must_reset_password);
  w.Field("password_set", !user.password_hash.empty());
  w.Field("failed_logins", user.failed_logins);
  w.TimeField("locked_until", user.locked_until_us, /*nullable=*/true);
  w.Key("grants");
  w.BeginArray();
  for (const domain::Grant& g : user.grants) {
    w.BeginObject();
    w.Field("capability", domain::CapabilityName(g.capability));
    w.Field("scope", domain::ScopeName(g.scope));
    w.TimeField("granted_at", g.granted_at_us);
    w.TimeField("expires_at", g.expires_at_us, /*nullable=*/true);
    w.Field("expired", g.expires_at_us != 0 && now_us >= g.expires_at_us);
    w.EndObject();
  }
  w.EndArray();
  w.Key("revocations");
  w.BeginArray();
  for (const domain::CapabilityInfo& info : domain::Catalogue()) {
    if (user.IsRevoked(info.id)) w.Value(info.name);
  }
  w.EndArray();
  w.Key("effective_capabilities");
  WriteCapabilities(w, domain::EffectiveCapabilities(state, user, now_us));
  w.Key("portal_access");
  WriteCheck(w, domain::CheckUserActive(state, user, now_us));
  w.Key("sessions");
  w.BeginArray();
  for (const std::string& id : user.sessions) w.Value(id);
  w.EndArray();
  w.TimeField("created_at", user.created_at_us);
  w.EndObject();
}

void WriteSession(JsonWriter& w, const domain::Session& s, std::int64_t now_us) {
  w.BeginObject();
  w.Field("id", s.id.value());
  w.Field("user", s.user.value());
  w.Key("impersonated_by");
  if (s.impersonated_by.empty()) {
    w.Value(nullptr);
  } else {
    w.Value(s.impersonated_by);
  }
  w.TimeField("started_at", s.started_at_us);
  w.Field("idle_timeout_us", s.idle_timeout_us);
  w.TimeField("absolute_expires_at", s.absolute_expires_at_us);
  w.Field("past_absolute_expiry", now_us >= s.absolute_expires_at_us);
  w.EndObject();
}

void WriteStateMembers(JsonWriter& w, const domain::AccessState& state, std::int64_t now_us) {
  w.Key("settings");
  WriteSettings(w, state.settings);
  WriteSorted(w, "organisations", state.orgs, [&](const domain::Org& o) { WriteOrg(w, state, o); });
  WriteSorted(w, "levels", state.levels, [&](const domain::Level& l) { WriteLevel(w, l); });
  WriteSorted(w, "users", state.users, [&](const domain::User& u) { WriteUser(w, state, u, now_us); });
  WriteSorted(w, "sessions", state.sessions, [&](const domain::Session& s) { WriteSession(w, s, now_us); });
  WriteSorted(w, "resources", state.resources, [&](const domain::Resource& r) { WriteResource(w, r); });
  WriteSorted(w, "notes", state.notes, [&](const domain::Note& n) { WriteNote(w, n); });
}

std::string StateText(const domain::AccessState& state, std::int64_t now_us) {
  std::string text;
  JsonWriter w(text, false);
  w.BeginObject();
  WriteStateMembers(w, state, now_us);
  w.EndObject();
  return text;
}

boost::json::object SettingsJson(const domain::Settings& settings) {
  return ToJsonObject([&](JsonWriter& w) { WriteSettings(w, settings); });
}
boost::json::object OrgJson(const domain::AccessState& state, const domain::Org& org) {
  return ToJsonObject([&](JsonWriter& w) { WriteOrg(w, state, org); });
}
boost::json::object UserJson(const domain::AccessState& state, const domain::User& user, std::int64_t now_us) {
  return ToJsonObject([&](JsonWriter& w) { WriteUser(w, state, user, now_us); });
}
boost::json::object SessionJson(const domain::Session& session, std::int64_t now_us) {
  return ToJsonObject([&](JsonWriter& w) { WriteSession(w, session, now_us); });
}

}  // namespace portico::replay
