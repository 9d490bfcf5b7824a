// Decide for provider settings, organisations and access levels.
#include <algorithm>

#include "domain/decide_internal.h"
#include "domain/presets.h"
#include "domain/validate.h"

namespace portico::domain::internal {
namespace {

Status InRangeOrError(std::string_view field, std::int64_t value, std::int64_t lo, std::int64_t hi) {
  if (value < lo || value > hi) {
    return Status::InvalidArgument(std::string(field) + " must be between " + std::to_string(lo) + " and " +
                                   std::to_string(hi) + ", got " + std::to_string(value));
  }
  return Status::Ok();
}

int Depth(const AccessState& s, const Org& org) {
  int depth = 1;
  for (const Org* o = &org; !o->parent.value().empty() && depth <= kMaxOrgDepth; ++depth) {
    o = s.Parent(*o);
    if (o == nullptr) break;
  }
  return depth;
}

}  // namespace

Result<Events> DecideOne(const AccessState& s, const ChangeSettings& c, std::int64_t) {
  RETURN_IF_ERROR(InRangeOrError("password_min_length", c.password_min_length,
                                 static_cast<std::int64_t>(kMinPasswordPolicy),
                                 static_cast<std::int64_t>(kMaxPasswordLength)));
  RETURN_IF_ERROR(InRangeOrError("session_absolute_hours", c.session_absolute_hours, 1, 720));
  RETURN_IF_ERROR(InRangeOrError("session_idle_minutes", c.session_idle_minutes, 1, 1440));
  if (c.session_idle_minutes > c.session_absolute_hours * 60) {
    return Status::InvalidArgument("session_idle_minutes (" + std::to_string(c.session_idle_minutes) +
                                   ") must not exceed the absolute timeout of " +
                                   std::to_string(c.session_absolute_hours) + " hours");
  }
  RETURN_IF_ERROR(InRangeOrError("lockout_threshold", c.lockout_threshold, 1, 100));
  RETURN_IF_ERROR(InRangeOrError("lockout_minutes", c.lockout_minutes, 1, 1440));
  if (!InRange(c.self_registration)) return Status::InvalidArgument("self_registration is not off, approval or open");

  schema::ProviderSettingsChangedT changed;
  changed.portal_enabled = c.portal_enabled;
  changed.self_registration = c.self_registration;
  changed.password_min_length = static_cast<std::uint16_t>(c.password_min_length);
  changed.session_idle_minutes = static_cast<std::uint32_t>(c.session_idle_minutes);
  changed.session_absolute_hours = static_cast<std::uint32_t>(c.session_absolute_hours);
  changed.lockout_threshold = static_cast<std::uint32_t>(c.lockout_threshold);
  changed.lockout_minutes = static_cast<std::uint32_t>(c.lockout_minutes);
  Events out;
  out.push_back(MakeEvent(std::string(kSettingsStream), std::move(changed)));

  if (s.settings.portal_enabled && !c.portal_enabled) {
    std::vector<std::pair<std::string, std::string>> all;
    all.reserve(s.sessions.size());
    for (const auto& [id, session] : s.sessions) all.emplace_back(session.user.value(), id);
    std::sort(all.begin(), all.end());
    EndSessions(all, schema::SessionEndReason::PortalDisabled, out);
  }
  return out;
}

Result<Events> DecideOne(const AccessState& s, const RegisterOrg& c, std::int64_t) {
  RETURN_IF_ERROR(ValidateId("organisation id", c.org_id.value()));
  RETURN_IF_ERROR(ValidateText("organisation name", c.name, kMaxNameLength, false));
  if (!InRange(c.kind)) return Status::InvalidArgument("organisation kind is not client or contractor");
  if (s.FindOrg(c.org_id.value()) != nullptr) {
    return Status::AlreadyExists("organisation " + Quoted(c.org_id.value()) + " already exists");
  }
  if (!c.parent_org_id.value().empty()) {
    if (c.parent_org_id == c.org_id) {
      return Status::FailedPrecondition("organisation " + Quoted(c.org_id.value()) + " cannot be its own parent");
    }
    ASSIGN_OR_RETURN(const Org* parent, RequireOrg(s, c.parent_org_id));
    if (parent->kind != c.kind) {
      return Status::FailedPrecondition("sub-organisation " + Quoted(c.org_id.value()) +
                                        " must be of the same kind as its parent " + Quoted(parent->id.value()));
    }
    if (Depth(s, *parent) >= kMaxOrgDepth) {
      return Status::FailedPrecondition("organisation tree under " + Quoted(parent->id.value()) +
                                        " would be deeper than " + std::to_string(kMaxOrgDepth) + " levels");
    }
  }
  schema::OrgRegisteredT registered;
  registered.org_id = c.org_id.value();
  registered.name = c.name;
  registered.kind = c.kind;
  registered.parent_org_id = c.parent_org_id.value();
  Events out;
  out.push_back(MakeEvent(OrgStream(c.org_id.value()), std::move(registered)));
  return out;
}

Result<Events> DecideOne(const AccessState& s, const SetOrgAccess& c, std::int64_t) {
  ASSIGN_OR_RETURN(const Org* org, RequireOrg(s, c.org_id));
  if (!InRange(c.mode)) return Status::InvalidArgument("access mode is not enabled, restricted or disabled");
  schema::OrgAccessChangedT changed;
  changed.org_id = c.org_id.value();
  changed.mode = c.mode;
  Events out;
  out.push_back(MakeEvent(OrgStream(c.org_id.value()), std::move(changed)));
  if (c.mode == schema::AccessMode::Disabled) {
    // A disabled organisation cuts its sub-organisations too (AccessState::EffectiveMode).
    std::vector<std::pair<std::string, std::string>> ending;
    for (const Org* member : s.Subtree(*org)) {
      const auto users = s.users_by_org.find(member->id.value());
      if (users == s.users_by_org.end()) continue;
      for (const std::string& user_id : users->second) {
        const User* user = s.FindUser(user_id);
        if (user == nullptr) continue;
        for (const std::string& session : user->sessions) ending.emplace_back(user_id, session);
      }
    }
    std::sort(ending.begin(), ending.end());
    EndSessions(ending, schema::SessionEndReason::AccessDisabled, out);
  }
  return out;
}

Result<Events> DecideOne(const AccessState& s, const SetAllowedLevels& c, std::int64_t) {
  RETURN_IF_ERROR(RequireOrg(s, c.org_id).status());
  std::vector<std::string> levels;
  for (const LevelId& level : c.levels) {
    RETURN_IF_ERROR(ValidateId("level id", level.value()));
    if (s.FindLevel(level.value()) == nullptr) {
      return Status::NotFound("level " + Quoted(level.value()) + " does not exist");
    }
    levels.push_back(level.value());
  }
  std::sort(levels.begin(), levels.end());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  schema::OrgAllowedLevelsSetT set;
  set.org_id = c.org_id.value();
  set.levels = std::move(levels);
  Events out;
  out.push_back(MakeEvent(OrgStream(c.org_id.value()), std::move(set)));
  return out;
}

Result<Events> DecideOne(const AccessState&, const DefineLevel& c, std::int64_t) {
  RETURN_IF_ERROR(ValidateId("level id", c.level_id.value()));
  if (FindPreset(c.level_id.value()) != nullptr) {
    return Status::FailedPrecondition("level " + Quoted(c.level_id.value()) + " is a preset and cannot be redefined");
  }
  RETURN_IF_ERROR(ValidateText("level name", c.name, kMaxNameLength, false));
  schema::LevelDefinedT defined;
  defined.level_id = c.level_id.value();
  defined.name = c.name;
  CapabilitySet seen;
  for (const LevelEntry& entry : c.capabilities) {
    const auto cap = ParseCapability(entry.capability);
    if (!cap) return Status::InvalidArgument("unknown capability " + Quoted(entry.capability));
    ASSIGN_OR_RETURN(const Scope scope, ResolveScope(*cap, entry.scope));
    if (seen.Scopes(*cap) & Bit(scope)) {
      return Status::InvalidArgument("capability " + Quoted(entry.capability) + " with scope " +
                                     Quoted(ScopeName(scope)) + " is listed twice");
    }
    seen.Add(*cap, scope);
    auto out_entry = std::make_unique<schema::CapabilityEntryT>();
    out_entry->capability = entry.capability;
    out_entry->scope = std::string(ScopeName(scope));
    defined.capabilities.push_back(std::move(out_entry));
  }
  Events out;
  out.push_back(MakeEvent(LevelStream(c.level_id.value()), std::move(defined)));
  return out;
}

}  // namespace portico::domain::internal
