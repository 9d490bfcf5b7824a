// Decide for portal users: creation, level, grants and revocations, password, login, archive.
#include "domain/decide_internal.h"
#include "domain/validate.h"

namespace portico::domain::internal {
namespace {

// User types and organisation kinds go together: active users in client organisations,
// contractor users in contractor organisations, passive users in either.
Status CheckTypeFitsOrg(const UserId& user, schema::UserType type, const Org& org) {
  if (type == schema::UserType::Contractor && org.kind != schema::OrgKind::Contractor) {
    return Status::FailedPrecondition("contractor user " + Quoted(user.value()) +
                                      " must belong to a contractor organisation, and " +
                                      Quoted(org.id.value()) + " is a client");
  }
  if (type == schema::UserType::Active && org.kind == schema::OrgKind::Contractor) {
    return Status::FailedPrecondition("user " + Quoted(user.value()) + " of contractor organisation " +
                                      Quoted(org.id.value()) + " must be a contractor or passive user");
  }
  return Status::Ok();
}

Status CheckNewPassword(const AccessState& s, const NewPassword& password) {
  RETURN_IF_ERROR(CheckPasswordPolicy(s.settings, password.plaintext));
  return ValidatePasswordHash(password.hash);
}

template <typename T>
Events One(const UserId& user, T body) {
  Events out;
  out.push_back(MakeEvent(UserStream(user.value()), std::move(body)));
  return out;
}

}  // namespace

Result<Events> DecideOne(const AccessState& s, const CreateUser& c, std::int64_t) {
  RETURN_IF_ERROR(ValidateId("user id", c.user_id.value()));
  ASSIGN_OR_RETURN(std::string username, NormaliseUsername(c.username));
  ASSIGN_OR_RETURN(const Org* org, RequireOrg(s, c.org_id));
  RETURN_IF_ERROR(ValidateText("display name", c.display_name, kMaxNameLength, true));
  RETURN_IF_ERROR(ValidateEmail(c.email));
  if (!InRange(c.user_type)) return Status::InvalidArgument("user type is not active, passive or contractor");
  RETURN_IF_ERROR(CheckTypeFitsOrg(c.user_id, c.user_type, *org));
  RETURN_IF_ERROR(RequireAssignableLevel(s, *org, c.level));
  if (c.password) RETURN_IF_ERROR(CheckNewPassword(s, *c.password));
  // Ids and user names are unique across all organisations, so "taken" tells a portal manager
  // of one organisation that a name exists elsewhere. Checked last, only a request valid in
  // every other way learns it, and a probe that misses creates a user (in the audit history).
  if (IsUserIdTaken(s, c.user_id.value())) {
    return Status::AlreadyExists("user " + Quoted(c.user_id.value()) + " already exists");
  }
  if (IsUsernameTaken(s, username)) {
    return Status::AlreadyExists("username " + Quoted(username) + " is taken");
  }

  schema::UserCreatedT created;
  created.user_id = c.user_id.value();
  created.org_id = c.org_id.value();
  created.username = std::move(username);
  created.display_name = c.display_name;
  created.email = c.email;
  created.user_type = c.user_type;
  created.level = c.level.value();
  created.password_hash = c.password ? c.password->hash : std::string();
  created.must_reset_password = c.must_reset_password;
  return One(c.user_id, std::move(created));
}

Result<Events> DecideOne(const AccessState& s, const ChangeUserLevel& c, std::int64_t) {
  ASSIGN_OR_RETURN(const User* user, RequireUser(s, c.user_id));
  ASSIGN_OR_RETURN(const Org* org, RequireOrg(s, user->org));
  RETURN_IF_ERROR(RequireAssignableLevel(s, *org, c.level));
  schema::UserLevelChangedT changed;
  changed.user_id = c.user_id.value();
  changed.level = c.level.value();
  return One(c.user_id, std::move(changed));
}

Result<Events> DecideOne(const AccessState& s, const GrantPermission& c, std::int64_t now_us) {
  RETURN_IF_ERROR(RequireUser(s, c.user_id).status());
  const auto cap = ParseCapability(c.capability);
  if (!cap) return Status::InvalidArgument("unknown capability " + Quoted(c.capability));
  ASSIGN_OR_RETURN(const Scope scope, ResolveScope(*cap, c.scope));
  if (c.expires_at_us < 0) return Status::InvalidArgument("expires_at is before 1970");
  if (c.expires_at_us != 0 && c.expires_at_us <= now_us) {
    return Status::FailedPrecondition("grant of " + Quoted(c.capability) + " would expire at " +
                                      std::to_string(c.expires_at_us) + " us, which is not in the future");
  }
  schema::PermissionGrantedT granted;
  granted.user_id = c.user_id.value();
  granted.capability = c.capability;
  granted.scope = std::string(ScopeName(scope));
  granted.expires_at_us = c.expires_at_us;
  return One(c.user_id, std::move(granted));
}

Result<Events> DecideOne(const AccessState& s, const RevokePermission& c, std::int64_t) {
  RETURN_IF_ERROR(RequireUser(s, c.user_id).status());
  if (!ParseCapability(c.capability)) return Status::InvalidArgument("unknown capability " + Quoted(c.capability));
  schema::PermissionRevokedT revoked;
  revoked.user_id = c.user_id.value();
  revoked.capability = c.capability;
  return One(c.user_id, std::move(revoked));
}

Result<Events> DecideOne(const AccessState& s, const SetPassword& c, std::int64_t) {
  ASSIGN_OR_RETURN(const User* user, RequireUser(s, c.user_id));
  RETURN_IF_ERROR(CheckNewPassword(s, c.password));
  const std::string& keep = c.keep_session_id.value();
  if (!keep.empty() && user->sessions.count(keep) == 0) {
    return Status::NotFound("session " + Quoted(keep) + " is not an active session of user " +
                            Quoted(c.user_id.value()));
  }
  schema::PasswordChangedT changed;
  changed.user_id = c.user_id.value();
  changed.password_hash = c.password.hash;
  changed.must_reset_password = c.must_reset_password;
  Events out = One(c.user_id, std::move(changed));
  EndUserSessionsExcept(*user, schema::SessionEndReason::PasswordChanged, keep, out);
  return out;
}

Result<Events> DecideOne(const AccessState& s, const ForcePasswordReset& c, std::int64_t) {
  RETURN_IF_ERROR(RequireUser(s, c.user_id).status());
  schema::PasswordResetForcedT forced;
  forced.user_id = c.user_id.value();
  return One(c.user_id, std::move(forced));
}

Result<Events> DecideOne(const AccessState& s, const SetLoginEnabled& c, std::int64_t) {
  ASSIGN_OR_RETURN(const User* user, RequireUser(s, c.user_id));
  if (c.enabled && user->type == schema::UserType::Passive) {
    return Status::FailedPrecondition("passive user " + Quoted(c.user_id.value()) + " never logs in");
  }
  schema::LoginEnabledChangedT changed;
  changed.user_id = c.user_id.value();
  changed.enabled = c.enabled;
  Events out = One(c.user_id, std::move(changed));
  if (!c.enabled) EndUserSessionsExcept(*user, schema::SessionEndReason::LoginDisabled, {}, out);
  return out;
}

Result<Events> DecideOne(const AccessState& s, const ArchiveUser& c, std::int64_t) {
  ASSIGN_OR_RETURN(const User* user, RequireUser(s, c.user_id, /*allow_archived=*/true));
  if (user->archived) return Status::FailedPrecondition("user " + Quoted(c.user_id.value()) + " is already archived");
  schema::UserArchivedT archived;
  archived.user_id = c.user_id.value();
  Events out = One(c.user_id, std::move(archived));
  EndUserSessionsExcept(*user, schema::SessionEndReason::Archived, {}, out);
  return out;
}

}  // namespace portico::domain::internal
