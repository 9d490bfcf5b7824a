// Commands of alerts, notifications and password reset (issue 6); part of domain::Command
// (domain/commands.h). Decide: domain/decide_alerts.cc and decide_password_reset.cc.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/alert_state.h"
#include "domain/ids.h"
#include "schemas/envelope.h"

namespace portico::domain {

struct NewPassword;  // commands.h

// Staff define (or redefine) an alert set: kinds from kAlertKinds, each at most once, at most
// 32 entries.
struct DefineAlertSet {
  std::string alert_set_id;
  std::string name;
  std::vector<AlertSubscriptionEntry> subscriptions;
};

// Staff assign alert sets to a user (replacing its list); each set must exist, and a passive
// user (who never logs in, so could never receive an alert) can only have the list cleared.
struct AssignAlertSets {
  UserId user_id;
  std::vector<std::string> alert_set_ids;
};

// A portal user replaces its own subscriptions. The user must hold alerts.subscribe now
// (domain::Check at `now_us`), which a restricted organisation refuses (it is a write).
struct SetAlertSubscriptions {
  UserId user_id;
  std::vector<AlertSubscriptionEntry> subscriptions;
};

// A portal user marks in-portal alerts read. The gateway checks the ids are the user's.
struct MarkAlertsRead {
  UserId user_id;
  std::vector<std::string> alert_ids;
};

// "I forgot my password": a fresh reset token (its hash) that expires at expires_at_us. The
// user must be able to log in (not archived, not passive, login enabled). A newer request
// replaces the older token.
struct RequestPasswordReset {
  UserId user_id;
  schemas::Hash token_hash{};
  std::int64_t expires_at_us = 0;
};

// Uses a reset token: unknown, spent, expired, or older than the user's last password
// change is one and the same FailedPrecondition ("the reset token is invalid or has
// expired"). Sets the password and ends every session of the user (PasswordChanged).
struct ConfirmPasswordReset {
  schemas::Hash token_hash{};
  std::string password_plaintext;  // for the policy check only
  std::string password_hash;       // argon2id
};

// "Notify Client": staff send the user its login details mail. The user needs an e-mail
// address and must not be archived.
struct SendLoginDetails {
  UserId user_id;
};

}  // namespace portico::domain
