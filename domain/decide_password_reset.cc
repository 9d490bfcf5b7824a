// Decide for "I forgot my password": issuing a reset token (its hash) and using it.
#include <algorithm>

#include "domain/decide_internal.h"
#include "domain/validate.h"

namespace portico::domain {
namespace {

std::string Key(const schemas::Hash& h) { return std::string(reinterpret_cast<const char*>(h.data()), h.size()); }

Status InvalidToken() { return Status::FailedPrecondition("the reset token is invalid or has expired"); }

}  // namespace

Result<const User*> UsableResetTokenOwner(const AccessState& s, const schemas::Hash& token_hash,
                                          std::int64_t now_us) {
  const auto by_token = s.alerting.reset_by_token.find(Key(token_hash));
  if (by_token == s.alerting.reset_by_token.end()) return InvalidToken();
  const auto reset = s.alerting.resets.find(by_token->second);
  if (reset == s.alerting.resets.end() || reset->second.token_hash != by_token->first) return InvalidToken();
  const User* user = s.FindUser(reset->second.user_id);
  // Expired, issued before the latest password change, or the user can no longer use it.
  if (user == nullptr || user->archived || now_us >= reset->second.expires_at_us ||
      reset->second.requested_at_us < user->password_changed_at_us) {
    return InvalidToken();
  }
  return user;
}

}  // namespace portico::domain

namespace portico::domain::internal {

Result<Events> DecideOne(const AccessState& s, const RequestPasswordReset& c, std::int64_t now_us) {
  ASSIGN_OR_RETURN(const User* user, RequireUser(s, c.user_id));
  if (user->type == schema::UserType::Passive) {
    return Status::FailedPrecondition("user " + Quoted(user->id.value()) + " is passive and never logs in");
  }
  if (!user->login_enabled) {
    return Status::FailedPrecondition("user " + Quoted(user->id.value()) + " may not log in");
  }
  if (std::all_of(c.token_hash.begin(), c.token_hash.end(), [](std::uint8_t b) { return b == 0; })) {
    return Status::InvalidArgument("reset token hash is all zeros");
  }
  if (s.alerting.reset_by_token.contains(Key(c.token_hash))) {
    return Status::AlreadyExists("reset token hash is already in use");
  }
  if (c.expires_at_us <= now_us) return Status::InvalidArgument("the reset token must expire in the future");
  schema::PasswordResetRequestedT requested;
  requested.user_id = user->id.value();
  requested.token_hash.assign(c.token_hash.begin(), c.token_hash.end());
  requested.expires_at_us = c.expires_at_us;
  Events out;
  out.push_back(MakeEvent(UserStream(user->id.value()), std::move(requested)));
  return out;
}

Result<Events> DecideOne(const AccessState& s, const ConfirmPasswordReset& c, std::int64_t now_us) {
  ASSIGN_OR_RETURN(const User* user, UsableResetTokenOwner(s, c.token_hash, now_us));
  RETURN_IF_ERROR(CheckPasswordPolicy(s.settings, c.password_plaintext));
  RETURN_IF_ERROR(ValidatePasswordHash(c.password_hash));
  Events out;
  schema::PasswordResetCompletedT completed;
  completed.user_id = user->id.value();
  completed.token_hash.assign(c.token_hash.begin(), c.token_hash.end());
  out.push_back(MakeEvent(UserStream(user->id.value()), std::move(completed)));
  schema::PasswordChangedT changed;
  changed.user_id = user->id.value();
  changed.password_hash = c.password_hash;
  changed.must_reset_password = false;
  out.push_back(MakeEvent(UserStream(user->id.value()), std::move(changed)));
  EndUserSessionsExcept(*user, schema::SessionEndReason::PasswordChanged, {}, out);
  return out;
}

}  // namespace portico::domain::internal
