#include "replay/state_json.h"

#include "domain/check.h"
#include "replay/access_query.h"
#include "replay/event_json.h"
#include "replay/time_format.h"

namespace portico::replay {
namespace {

namespace json = boost::json;

std::string Mode(schema::AccessMode mode) { return SnakeCase(schema::EnumNameAccessMode(mode)); }

json::value TimeOrNull(std::int64_t us) { return us == 0 ? json::value(nullptr) : json::value(FormatTime(us)); }

json::array CapabilitiesJson(const domain::CapabilitySet& set) {
  json::array out;
  for (const auto& [capability, scope] : set.Entries()) {
    out.push_back(json::object{{"capability", std::string(domain::CapabilityName(capability))},
                               {"scope", std::string(domain::ScopeName(scope))}});
  }
  return out;
}

}  // namespace

json::object SettingsJson(const domain::Settings& s) {
  return {{"portal_enabled", s.portal_enabled},
          {"self_registration", SnakeCase(schema::EnumNameSelfRegistration(s.self_registration))},
          {"password_min_length", s.password_min_length},
          {"session_idle_minutes", s.session_idle_minutes},
          {"session_absolute_hours", s.session_absolute_hours},
          {"lockout_threshold", s.lockout_threshold},
          {"lockout_minutes", s.lockout_minutes}};
}

json::object OrgJson(const domain::AccessState& state, const domain::Org& org) {
  const domain::Org* blocking = nullptr;
  const schema::AccessMode effective = state.EffectiveMode(org, &blocking);
  json::array levels;
  for (const auto& level : org.allowed_levels) levels.emplace_back(level.value());
  json::object out{{"id", org.id.value()},
                   {"name", org.name},
                   {"kind", SnakeCase(schema::EnumNameOrgKind(org.kind))},
                   {"parent", org.parent.value().empty() ? json::value(nullptr) : json::value(org.parent.value())},
                   {"access_mode", Mode(org.mode)},
                   {"effective_access_mode", Mode(effective)},
                   {"allowed_levels", std::move(levels)},
                   {"registered_at", FormatTime(org.registered_at_us)}};
  if (blocking != nullptr && blocking != &org) out["access_limited_by"] = blocking->id.value();
  return out;
}

json::object UserJson(const domain::AccessState& state, const domain::User& user, std::int64_t now_us) {
  json::array grants;
  for (const domain::Grant& g : user.grants) {
    grants.push_back(json::object{{"capability", std::string(domain::CapabilityName(g.capability))},
                                  {"scope", std::string(domain::ScopeName(g.scope))},
                                  {"granted_at", FormatTime(g.granted_at_us)},
                                  {"expires_at", TimeOrNull(g.expires_at_us)},
                                  {"expired", g.expires_at_us != 0 && now_us >= g.expires_at_us}});
  }
  json::array revoked;
  for (const domain::CapabilityInfo& info : domain::Catalogue()) {
    if (user.IsRevoked(info.id)) revoked.emplace_back(std::string(info.name));
  }
  json::array sessions;
  for (const std::string& id : user.sessions) sessions.emplace_back(id);
  return {{"id", user.id.value()},
          {"org", user.org.value()},
          {"username", user.username},
          {"display_name", user.display_name},
          {"type", SnakeCase(schema::EnumNameUserType(user.type))},
          {"level", user.level.value()},
          {"login_enabled", user.login_enabled},
          {"archived", user.archived},
          {"must_reset_password", user.must_reset_password},
          {"password_set", !user.password_hash.empty()},
          {"failed_logins", user.failed_logins},
          {"locked_until", TimeOrNull(user.locked_until_us)},
          {"grants", std::move(grants)},
          {"revocations", std::move(revoked)},
          {"effective_capabilities", CapabilitiesJson(domain::EffectiveCapabilities(state, user, now_us))},
          {"portal_access", CheckJson(domain::CheckUserActive(state, user, now_us))},
          {"sessions", std::move(sessions)},
          {"created_at", FormatTime(user.created_at_us)}};
}

json::object SessionJson(const domain::Session& s, std::int64_t now_us) {
  return {{"id", s.id.value()},
          {"user", s.user.value()},
          {"impersonated_by", s.impersonated_by.empty() ? json::value(nullptr) : json::value(s.impersonated_by)},
          {"started_at", FormatTime(s.started_at_us)},
          {"idle_timeout_us", s.idle_timeout_us},
          {"absolute_expires_at", FormatTime(s.absolute_expires_at_us)},
          {"past_absolute_expiry", now_us >= s.absolute_expires_at_us}};
}

json::object StateJson(const domain::AccessState& state, std::int64_t now_us) {
  json::array orgs, levels, users, sessions, resources, notes;
  for (const domain::Org* org : SortedValues(state.orgs)) orgs.push_back(OrgJson(state, *org));
  for (const domain::Level* level : SortedValues(state.levels)) {
    levels.push_back(json::object{
        {"id", level->id.value()}, {"name", level->name}, {"capabilities", CapabilitiesJson(level->capabilities)}});
  }
  for (const domain::User* user : SortedValues(state.users)) users.push_back(UserJson(state, *user, now_us));
  for (const domain::Session* s : SortedValues(state.sessions)) sessions.push_back(SessionJson(*s, now_us));
  for (const domain::Resource* r : SortedValues(state.resources)) {
    json::array assigned;
    for (const auto& u : r->assigned_users) assigned.emplace_back(u.value());
    resources.push_back(json::object{{"id", r->id.value()},
                                     {"type", std::string(domain::ResourceTypeName(r->type))},
                                     {"org", r->org.value()},
                                     {"status", std::string(domain::ResourceStatusName(r->status))},
                                     {"contact", r->contact.value()},
                                     {"assigned_users", std::move(assigned)},
                                     {"assigned_org", r->assigned_org.value()}});
  }
  for (const domain::Note* n : SortedValues(state.notes)) {
    notes.push_back(json::object{{"id", n->id.value()},
                                 {"resource", n->resource.value()},
                                 {"visibility", SnakeCase(schema::EnumNameNoteVisibility(n->visibility))},
                                 {"author", n->author.value()}});
  }
  return {{"settings", SettingsJson(state.settings)},
          {"organisations", std::move(orgs)},
          {"levels", std::move(levels)},
          {"users", std::move(users)},
          {"sessions", std::move(sessions)},
          {"resources", std::move(resources)},
          {"notes", std::move(notes)}};
}

}  // namespace portico::replay
