// Commands: one struct per thing the provider's staff, its systems or a portal user can ask
// of the access domain. Decide (domain/decide.h) judges a command against the state and
// returns the events that record it, or the rule it breaks.
//
// Commands carry the caller's raw input (strings as received, enums as converted): Decide
// validates every field. Authorisation of the caller (staff key, portal session) is the
// gateway's; Decide enforces the domain's own rules only, plus the one authorship rule that
// belongs to the data (a portal user may only write notes on what it can see).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "domain/alert_commands.h"
#include "domain/ids.h"
#include "domain/workflow_commands.h"
#include "schemas/envelope.h"
#include "schemas/events_generated.h"

namespace portico::domain {

// -- Provider settings -----------------------------------------------------------------------

// Replaces all settings (PUT /v1/settings). Ranges: password_min_length 6..128,
// session_idle_minutes 1..1440 and at most the absolute timeout, session_absolute_hours
// 1..720, lockout_threshold 1..100, lockout_minutes 1..1440. Turning the portal off ends every
// session (PortalDisabled).
struct ChangeSettings {
  bool portal_enabled = true;
  schema::SelfRegistration self_registration = schema::SelfRegistration::Off;
  std::int64_t password_min_length = 8;
  std::int64_t session_idle_minutes = 30;
  std::int64_t session_absolute_hours = 12;
  std::int64_t lockout_threshold = 5;
  std::int64_t lockout_minutes = 15;
};

// -- Organisations and levels ----------------------------------------------------------------

// A new client or contractor organisation; its parent (optional) must exist and be of the
// same kind. Access starts disabled.
struct RegisterOrg {
  OrgId org_id;
  std::string name;
  schema::OrgKind kind = schema::OrgKind::Client;
  OrgId parent_org_id;  // empty: none
};

// EnableAccess: enabled, restricted (read-only) or disabled. Disabling ends every active
// session of the users of the organisation and of its sub-organisations (AccessDisabled),
// whose access a disabled parent also cuts (AccessState::EffectiveMode).
struct SetOrgAccess {
  OrgId org_id;
  schema::AccessMode mode = schema::AccessMode::Enabled;
};

// The levels the organisation's managers may hand out; each must be a known level. An empty
// list lifts the restriction (any known level). Existing users keep their level.
struct SetAllowedLevels {
  OrgId org_id;
  std::vector<LevelId> levels;
};

struct LevelEntry {
  std::string capability;
  std::string scope;  // "" means org where the capability has scopes
};

// Defines or redefines a custom level; a preset's id is refused.
struct DefineLevel {
  LevelId level_id;
  std::string name;
  std::vector<LevelEntry> capabilities;
};

// -- Portal users ----------------------------------------------------------------------------

// A new password: the plaintext, only for the policy check (never stored, never in an event),
// and its argon2id hash, computed by the caller beforehand (hashing is slow; call
// CheckPasswordPolicy first to refuse a bad password before paying for the hash).
struct NewPassword {
  std::string plaintext;
  std::string hash;
};

// A new portal user. Its user name must be free (canonical form, against every user,
// archived included), its level known and allowed for its organisation. Contractor users
// belong to contractor organisations and active users to client organisations; passive users
// to either.
struct CreateUser {
  UserId user_id;
  OrgId org_id;
  std::string username;
  std::string display_name;
  std::string email;
  schema::UserType user_type = schema::UserType::Active;
  LevelId level;
  std::optional<NewPassword> password;
  bool must_reset_password = false;
};

struct ChangeUserLevel {
  UserId user_id;
  LevelId level;
};

// An extra capability, optionally with a scope and an expiry in the future. Re-granting the
// same capability and scope replaces the expiry.
struct GrantPermission {
  UserId user_id;
  std::string capability;
  std::string scope;
  std::int64_t expires_at_us = 0;  // 0: never
};

// Removes the capability whatever the level says, and drops its earlier grants.
struct RevokePermission {
  UserId user_id;
  std::string capability;
};

// Sets the user's password (by staff, or by the user itself). Ends the user's other sessions
// (PasswordChanged): all of them, or all but keep_session_id.
struct SetPassword {
  UserId user_id;
  NewPassword password;
  bool must_reset_password = false;
  SessionId keep_session_id;  // empty: end every session
};

struct ForcePasswordReset {
  UserId user_id;
};

// Disabling login ends the user's sessions (LoginDisabled). Passive users never log in.
struct SetLoginEnabled {
  UserId user_id;
  bool enabled = true;
};

// Archives the user (it keeps its user name) and ends its sessions (Archived).
struct ArchiveUser {
  UserId user_id;
};

// -- Resources and notes ---------------------------------------------------------------------

// Registers or updates what visibility needs to know of one of the provider's records. The
// organisation, contact and assigned users must exist; the assigned organisation must be a
// contractor business.
struct UpsertResource {
  ResourceId resource_id;
  schema::ResourceType type = schema::ResourceType::Task;
  OrgId org_id;
  std::string title;
  schema::ResourceStatus status = schema::ResourceStatus::Current;
  UserId contact_user_id;                // empty: none
  std::vector<UserId> assigned_user_ids;
  OrgId assigned_org_id;                 // empty: none
};

// A note or document on a resource. Written by staff (author empty) or by a portal user,
// who must be able to see the resource (and, on a task, hold tasks.notes.add).
struct ShareNote {
  NoteId note_id;
  ResourceId resource_id;
  std::string body;
  schema::NoteVisibility visibility = schema::NoteVisibility::Client;
  UserId author_user_id;  // empty: staff
};

struct ChangeNoteVisibility {
  NoteId note_id;
  schema::NoteVisibility visibility = schema::NoteVisibility::Client;
};

// -- Sessions --------------------------------------------------------------------------------

// A login attempt. The gateway read the user's id and password hash, verified the password
// against that hash (slowly, outside the command lock: the domain never sees the password),
// then submits this; the session id and token hash are fresh randoms of the gateway. The
// result is SessionStarted, or LoginFailed (and UserLockedOut once the failures reach the
// threshold). The checks run in the access check's order (portal, user state, lockout,
// organisation) against the state at Decide, before the password; only a bad password counts
// toward the lockout. A lockout refuses logins and, while it lasts, every access check
// (domain/check.h); it does not end the user's existing sessions.
//
// The password counts as verified only if the user name still names `user_id` and that
// user's hash is still `checked_hash`: a password changed (or reset) while the check ran
// makes the attempt a bad password, so the old password never opens a session after the
// change. Archiving, disabling login or the organisation are seen by the checks above.
//
// A user name that names no user is recorded too (LoginFailed, reason UnknownUser, user_id
// "", on kLoginFailuresStream, with the canonical user name tried, or "" when it is not a
// valid user name), so that it costs the same durable append as a wrong password.
struct Login {
  std::string username;
  bool password_verified = false;
  SessionId session_id;
  schemas::Hash token_hash{};
  UserId user_id;            // whose hash was checked ("" when the name named nobody)
  std::string checked_hash;  // the hash the password was verified against
};

// "Log in as client": a staff member opens a session as the user, without its password. The
// session records impersonated_by; the gateway records on_behalf_of on the events it causes.
struct LoginAsUser {
  UserId user_id;
  std::string staff;  // the staff key name
  SessionId session_id;
  schemas::Hash token_hash{};
};

// Ends one session (logout, ended by staff...).
struct EndSession {
  SessionId session_id;
  schema::SessionEndReason reason = schema::SessionEndReason::Logout;
};

// Ends every active session of a user.
struct EndUserSessions {
  UserId user_id;
  schema::SessionEndReason reason = schema::SessionEndReason::EndedByStaff;
};

// Ends every session past its absolute expiry or idle timeout (reason Expired). The caller
// (the sessions read model) supplies when each session was last seen; a session it does not
// mention counts as last seen when it started. No session counts as last seen before
// `observed_since_us`, when the caller started observing uses (its process start): uses
// before then are unknown to it, not absent.
struct ExpireSessions {
  std::unordered_map<std::string, std::int64_t> last_seen_us;  // session id -> time
  std::int64_t observed_since_us = 0;
};

// A portal user holding users.manage acts on users of its own organisation with one of these
// staff commands, judged by their own rules after the manager's (decide_portal_managers.cc):
//   - the manager may use users.manage now (domain::Check: not in a restricted organisation);
//   - the target user (for CreateUser, the new user's organisation) is in the manager's
//     organisation, else NotFound, exactly as for an unknown user;
//   - never at or above the manager: the target's effective capabilities (before the action)
//     must be a strict subset of the manager's effective capabilities, so never the manager
//     itself nor a peer with the same rights; the level it is given must be a subset (an
//     equal level may be handed out, as Autotask's Manager creates Managers). Subsets count
//     every capability with every scope it is held with; a broader scope of the manager's
//     covers a narrower one: org_tree > org > contact, assigned, assigned_business, own;
//     full > client_view. Else PermissionDenied.
using ManagedUserAction =
    std::variant<CreateUser, ChangeUserLevel, SetPassword, ForcePasswordReset, EndUserSessions, ArchiveUser>;
struct PortalManagerAction {
  UserId manager;
  ManagedUserAction action;
};

using Command =
    std::variant<ChangeSettings, RegisterOrg, SetOrgAccess, SetAllowedLevels, DefineLevel, CreateUser,
                 ChangeUserLevel, GrantPermission, RevokePermission, SetPassword, ForcePasswordReset,
                 SetLoginEnabled, ArchiveUser, UpsertResource, ShareNote, ChangeNoteVisibility, Login,
                 LoginAsUser, EndSession, EndUserSessions, ExpireSessions,
                 // Portal workflows (domain/workflow_commands.h)
                 SetRegistrationCode, RequestRegistration, DecideRegistration, ImportUsers,
                 SubmitPortalRequest, AddPortalNote, ApproveEstimate, RecordPaymentIntent,
                 UpdateContactDetails, PortalManagerAction,
                 // issue 6: alerts, notifications, password reset (domain/alert_commands.h)
                 DefineAlertSet, AssignAlertSets, SetAlertSubscriptions, MarkAlertsRead,
                 RequestPasswordReset, ConfirmPasswordReset, SendLoginDetails>;

}  // namespace portico::domain
