#include "domain/decide.h"

#include <algorithm>

#include "domain/decide_internal.h"
#include "domain/decide_workflows_internal.h"
#include "domain/validate.h"

namespace portico::domain {

Result<std::vector<DomainEvent>> Decide(const AccessState& state, const Command& command,
                                        std::int64_t now_us) {
  return std::visit([&](const auto& c) { return internal::DecideOne(state, c, now_us); }, command);
}

Status CheckPasswordPolicy(const Settings& settings, std::string_view password) {
  return ValidatePasswordPolicy(password, settings.password_min_length);
}

Result<bool> IsUsernameAvailable(const AccessState& state, std::string_view username) {
  ASSIGN_OR_RETURN(const std::string canonical, NormaliseUsername(username));
  return !internal::IsUsernameTaken(state, canonical);
}

namespace internal {

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

bool IsUsernameTaken(const AccessState& s, const std::string& canonical_username) {
  return s.FindUserByUsername(canonical_username) != nullptr ||
         s.workflows.pending_by_username.count(canonical_username) != 0;
}

bool IsUserIdTaken(const AccessState& s, std::string_view user_id) {
  return s.FindUser(user_id) != nullptr || s.workflows.FindRegistration(user_id) != nullptr;
}

Result<const Org*> RequireOrg(const AccessState& s, const OrgId& id) {
  RETURN_IF_ERROR(ValidateId("organisation id", id.value()));
  const Org* org = s.FindOrg(id.value());
  if (org == nullptr) return Status::NotFound("organisation " + Quoted(id.value()) + " does not exist");
  return org;
}

Result<const User*> RequireUser(const AccessState& s, const UserId& id, bool allow_archived) {
  RETURN_IF_ERROR(ValidateId("user id", id.value()));
  const User* user = s.FindUser(id.value());
  if (user == nullptr) return Status::NotFound("user " + Quoted(id.value()) + " does not exist");
  if (user->archived && !allow_archived) {
    return Status::FailedPrecondition("user " + Quoted(id.value()) + " is archived");
  }
  return user;
}

Status RequireAssignableLevel(const AccessState& s, const Org& org, const LevelId& level) {
  RETURN_IF_ERROR(ValidateId("level id", level.value()));
  if (s.FindLevel(level.value()) == nullptr) {
    return Status::NotFound("level " + Quoted(level.value()) + " does not exist");
  }
  if (!org.allowed_levels.empty() &&
      !std::binary_search(org.allowed_levels.begin(), org.allowed_levels.end(), level)) {
    return Status::FailedPrecondition("level " + Quoted(level.value()) + " is not allowed for organisation " +
                                      Quoted(org.id.value()));
  }
  return Status::Ok();
}

void EndSessions(const std::vector<std::pair<std::string, std::string>>& sessions,
                 schema::SessionEndReason reason, Events& out) {
  for (const auto& [user_id, session_id] : sessions) {
    schema::SessionEndedT ended;
    ended.session_id = session_id;
    ended.user_id = user_id;
    ended.reason = reason;
    out.push_back(MakeEvent(UserStream(user_id), std::move(ended)));
  }
}

void EndUserSessionsExcept(const User& user, schema::SessionEndReason reason, std::string_view keep,
                           Events& out) {
  std::vector<std::pair<std::string, std::string>> sessions;
  for (const std::string& id : user.sessions) {
    if (id != keep) sessions.emplace_back(user.id.value(), id);
  }
  EndSessions(sessions, reason, out);
}

}  // namespace internal
}  // namespace portico::domain
