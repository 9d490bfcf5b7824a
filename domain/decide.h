// Decide: judges a command against the current state. It returns the events to append (in
// order; possibly on several streams), or a rejection naming the broken rule:
//   InvalidArgument     malformed input: a bad id, name, scope, enum value, e-mail...
//   NotFound            a named organisation, user, level, resource, note or session does not exist
//   AlreadyExists       the id (or user name) is taken
//   FailedPrecondition  a domain rule: "level 'x' is not allowed for organisation 'acme'",
//                       "user 'u1' is archived", "password is shorter than the minimum of 8"...
// A refused login is not a rejection: it is recorded (LoginFailed, UserLockedOut), also for
// a user name that names no user (LoginFailed, reason UnknownUser).
//
// Pure: no I/O, no clock (`now_us` is the command's time), no logging. Deterministic: the same
// state, command and time give the same events. Passwords never enter an event, only hashes.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/commands.h"
#include "domain/events.h"
#include "domain/state.h"

namespace portico::domain {

Result<std::vector<DomainEvent>> Decide(const AccessState& state, const Command& command,
                                        std::int64_t now_us);

// The password policy in force (min length from the settings, max 128). Call it before
// hashing a new password; SetPassword and CreateUser check it again.
Status CheckPasswordPolicy(const Settings& settings, std::string_view password);

// The portal manager's own rules for `command` (it holds users.manage, the target is one it
// may manage, a level it hands out is within its own), without deciding the action itself.
// The gateway asks before the costly work an action needs (hashing its new password), so that
// a caller who may not manage anyone costs no argon2id; Decide applies the same rules again.
Status CheckPortalManagerAction(const AccessState& state, const PortalManagerAction& command,
                                std::int64_t now_us);

// The user a password-reset token (its hash) may reset now, else the one FailedPrecondition
// ("the reset token is invalid or has expired") for an unknown, spent, replaced or expired
// token, one issued before the user's latest password change, or an archived user. The
// gateway asks before hashing the new password, so that no such token costs an argon2id hash
// nor answers differently from an unknown one; ConfirmPasswordReset applies the same rules.
Result<const User*> UsableResetTokenOwner(const AccessState& state, const schemas::Hash& token_hash,
                                          std::int64_t now_us);

// GET /v1/usernames/{username}: whether the canonical form of `username` is free (no user,
// archived or not, has it, and no pending registration reserves it). InvalidArgument when it
// is not a valid user name.
Result<bool> IsUsernameAvailable(const AccessState& state, std::string_view username);

}  // namespace portico::domain
