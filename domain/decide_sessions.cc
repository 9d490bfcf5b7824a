// Decide for sessions: login (and its failures and lockout), "log in as client", ending and
// expiring sessions.
#include <algorithm>

#include "domain/check.h"
#include "domain/decide_internal.h"
#include "domain/validate.h"

namespace portico::domain::internal {
namespace {

constexpr std::int64_t kMicrosPerMinute = 60'000'000;

// A fresh session id and token hash: well formed and not in use.
Status CheckNewSession(const AccessState& s, const SessionId& id, const schemas::Hash& token_hash) {
  RETURN_IF_ERROR(ValidateId("session id", id.value()));
  if (s.FindSession(id.value()) != nullptr) {
    return Status::AlreadyExists("session " + Quoted(id.value()) + " already exists");
  }
  if (std::all_of(token_hash.begin(), token_hash.end(), [](std::uint8_t b) { return b == 0; })) {
    return Status::InvalidArgument("session token hash is all zeros");
  }
  const std::string_view key(reinterpret_cast<const char*>(token_hash.data()), token_hash.size());
  if (s.FindSessionByToken(key) != nullptr) {
    return Status::AlreadyExists("session token hash is already in use");
  }
  return Status::Ok();
}

DomainEvent Started(const AccessState& s, const User& user, const SessionId& id,
                    const schemas::Hash& token_hash, std::string impersonated_by, std::int64_t now_us) {
  schema::SessionStartedT started;
  started.session_id = id.value();
  started.user_id = user.id.value();
  started.token_hash = std::make_unique<schema::Hash256>(
      flatbuffers::span<const std::uint8_t, 32>(token_hash.data(), token_hash.size()));
  started.impersonated_by = std::move(impersonated_by);
  started.idle_timeout_us = static_cast<std::int64_t>(s.settings.session_idle_minutes) * kMicrosPerMinute;
  started.absolute_expires_at_us =
      now_us + static_cast<std::int64_t>(s.settings.session_absolute_hours) * 60 * kMicrosPerMinute;
  return MakeEvent(UserStream(user.id.value()), std::move(started));
}

schema::LoginFailureReason FailureFor(Reason reason) {
  switch (reason) {
    case Reason::kPortalDisabled: return schema::LoginFailureReason::PortalDisabled;
    case Reason::kLoginDisabled: return schema::LoginFailureReason::LoginDisabled;
    case Reason::kUserLockedOut: return schema::LoginFailureReason::LockedOut;
    case Reason::kOrgAccessDisabled: return schema::LoginFailureReason::AccessDisabled;
    default: return schema::LoginFailureReason::UserInactive;  // archived, passive
  }
}

DomainEvent Failed(const User& user, schema::LoginFailureReason reason, std::uint32_t failures) {
  schema::LoginFailedT failed;
  failed.user_id = user.id.value();
  failed.reason = reason;
  failed.consecutive_failures = failures;
  return MakeEvent(UserStream(user.id.value()), std::move(failed));
}

DomainEvent UnknownUserFailed(const Result<std::string>& canonical) {
  schema::LoginFailedT failed;
  failed.reason = schema::LoginFailureReason::UnknownUser;
  failed.username = canonical.ok() ? *canonical : std::string();
  return MakeEvent(std::string(kLoginFailuresStream), std::move(failed));
}

}  // namespace

Result<Events> DecideOne(const AccessState& s, const Login& c, std::int64_t now_us) {
  RETURN_IF_ERROR(CheckNewSession(s, c.session_id, c.token_hash));
  const auto canonical = NormaliseUsername(c.username);
  const User* user = canonical.ok() ? s.FindUserByUsername(*canonical) : nullptr;
  Events out;
  if (user == nullptr) {
    out.push_back(UnknownUserFailed(canonical));
    return out;
  }
  const CheckResult active = CheckUserActive(s, *user, now_us);
  if (!active.allowed) {
    out.push_back(Failed(*user, FailureFor(active.reason), user->failed_logins));
    return out;
  }
  // Verified against this user's current hash, not one replaced while the check ran.
  const bool verified = c.password_verified && !user->password_hash.empty() && c.user_id == user->id &&
                        c.checked_hash == user->password_hash;
  if (!verified) {
    const std::uint32_t failures = user->failed_logins + 1;
    out.push_back(Failed(*user, schema::LoginFailureReason::BadPassword, failures));
    if (failures >= s.settings.lockout_threshold) {
      schema::UserLockedOutT locked;
      locked.user_id = user->id.value();
      locked.until_us = now_us + static_cast<std::int64_t>(s.settings.lockout_minutes) * kMicrosPerMinute;
      out.push_back(MakeEvent(UserStream(user->id.value()), std::move(locked)));
    }
    return out;
  }
  out.push_back(Started(s, *user, c.session_id, c.token_hash, std::string(), now_us));
  return out;
}

Result<Events> DecideOne(const AccessState& s, const LoginAsUser& c, std::int64_t now_us) {
  ASSIGN_OR_RETURN(const User* user, RequireUser(s, c.user_id));
  RETURN_IF_ERROR(ValidateText("staff name", c.staff, kMaxNameLength, false));
  RETURN_IF_ERROR(CheckNewSession(s, c.session_id, c.token_hash));
  const CheckResult active = CheckUserActive(s, *user, now_us);
  if (!active.allowed) {
    return Status::FailedPrecondition("cannot log in as user " + Quoted(c.user_id.value()) + ": " + active.detail);
  }
  Events out;
  out.push_back(Started(s, *user, c.session_id, c.token_hash, c.staff, now_us));
  return out;
}

Result<Events> DecideOne(const AccessState& s, const EndSession& c, std::int64_t) {
  RETURN_IF_ERROR(ValidateId("session id", c.session_id.value()));
  if (!InRange(c.reason)) return Status::InvalidArgument("unknown session end reason");
  const Session* session = s.FindSession(c.session_id.value());
  if (session == nullptr) return Status::NotFound("session " + Quoted(c.session_id.value()) + " is not active");
  Events out;
  EndSessions({{session->user.value(), session->id.value()}}, c.reason, out);
  return out;
}

Result<Events> DecideOne(const AccessState& s, const EndUserSessions& c, std::int64_t) {
  ASSIGN_OR_RETURN(const User* user, RequireUser(s, c.user_id, /*allow_archived=*/true));
  if (!InRange(c.reason)) return Status::InvalidArgument("unknown session end reason");
  Events out;  // empty when the user has no session
  EndUserSessionsExcept(*user, c.reason, {}, out);
  return out;
}

Result<Events> DecideOne(const AccessState& s, const ExpireSessions& c, std::int64_t now_us) {
  std::vector<std::pair<std::string, std::string>> expired;
  for (const auto& [id, session] : s.sessions) {
    const auto seen = c.last_seen_us.find(id);
    const std::int64_t touched = seen == c.last_seen_us.end() ? session.started_at_us : seen->second;
    const std::int64_t last_seen = std::max(touched, c.observed_since_us);
    if (session.ExpiredAt(now_us, last_seen)) expired.emplace_back(session.user.value(), id);
  }
  std::sort(expired.begin(), expired.end());
  Events out;  // empty when nothing expired
  EndSessions(expired, schema::SessionEndReason::Expired, out);
  return out;
}

}  // namespace portico::domain::internal
