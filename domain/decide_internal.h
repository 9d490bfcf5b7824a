// Internal to domain/decide*.cc: one Decide overload per command, and the helpers they share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/commands.h"
#include "domain/decide.h"

namespace portico::domain::internal {

using Events = std::vector<DomainEvent>;

Result<Events> DecideOne(const AccessState& s, const ChangeSettings& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const RegisterOrg& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const SetOrgAccess& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const SetAllowedLevels& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const DefineLevel& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const CreateUser& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const ChangeUserLevel& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const GrantPermission& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const RevokePermission& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const SetPassword& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const ForcePasswordReset& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const SetLoginEnabled& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const ArchiveUser& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const UpsertResource& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const ShareNote& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const ChangeNoteVisibility& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const Login& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const LoginAsUser& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const EndSession& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const EndUserSessions& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const ExpireSessions& c, std::int64_t now_us);
// issue 6: decide_alerts.cc, decide_password_reset.cc
Result<Events> DecideOne(const AccessState& s, const DefineAlertSet& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const AssignAlertSets& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const SetAlertSubscriptions& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const MarkAlertsRead& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const RequestPasswordReset& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const ConfirmPasswordReset& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const SendLoginDetails& c, std::int64_t now_us);

// 'x'
std::string Quoted(std::string_view s);

// The canonical user name belongs to a user (archived or not) or is reserved by a pending
// registration (README: "reserved while pending"), so that approving it cannot fail later.
bool IsUsernameTaken(const AccessState& s, const std::string& canonical_username);

// The user id belongs to a user (archived or not) or to a registration (pending, approved or
// rejected): registrations keep their user id for good, and audit files the id's events under
// the first organisation linked to it, so a second owner must never get it.
bool IsUserIdTaken(const AccessState& s, std::string_view user_id);

// The organisation, or NotFound "organisation 'x' does not exist".
Result<const Org*> RequireOrg(const AccessState& s, const OrgId& id);
// The user, or NotFound; FailedPrecondition "user 'x' is archived" unless allow_archived.
Result<const User*> RequireUser(const AccessState& s, const UserId& id, bool allow_archived = false);
// The level is known and, where the organisation lists allowed levels, among them.
Status RequireAssignableLevel(const AccessState& s, const Org& org, const LevelId& level);

// SessionEnded events for `sessions` (pairs of user id and session id, sorted by the caller).
void EndSessions(const std::vector<std::pair<std::string, std::string>>& sessions,
                 schema::SessionEndReason reason, Events& out);
// Every active session of the user, but `keep` (may be empty), in session id order.
void EndUserSessionsExcept(const User& user, schema::SessionEndReason reason, std::string_view keep,
                           Events& out);

// The enum value lies within the enum.
template <typename E>
bool InRange(E value) {
  return static_cast<unsigned>(value) <= static_cast<unsigned>(E::MAX);
}

}  // namespace portico::domain::internal
