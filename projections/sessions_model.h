// SessionsModel: the portal sessions as a node sees them: which token is valid right now.
//
// The sessions themselves (by token hash, by user, with their timeouts) are part of the
// access model: domain::Evolve keeps AccessState::sessions, session_by_token and each user's
// session ids, and forgets a session when its SessionEnded event is applied. This class adds
// the two things that are not in the log, and are therefore kept per node, in memory:
//
//   - Last seen. Idle expiry needs the time of a session's last use, and recording every use
//     as an event would put a write on every request. So Touch() records it here, and idle
//     expiry is per node: a session idle on this node may still be in use on another, and
//     then stays valid there. The absolute expiry, which is in the log (SessionStarted), holds
//     everywhere. The idle expiry becomes a log fact only when the gateway runs
//     domain::ExpireSessions with ExpiryCommand() (reason Expired).
//     Last-seen times are lost on a restart, so a session this node has not seen used since
//     it started observing (the model's `observing_since_us`, the process start) counts as
//     last seen then, never earlier than its own start: a restart gives every session a fresh
//     idle period instead of ending, at once, every one started more than an idle timeout ago.
//     Validate(), UserSessions() and the sweeper's ExpiryCommand() all use this rule.
//   - Ended here. The node that appends SessionEnded events (logout, EndSession, archiving...)
//     calls MarkEnded() as soon as the append is durable and before it replies; from then on
//     Validate() on this node rejects those sessions, even while the projection has not yet
//     applied the events. The mark is forgotten when the access model applies the position
//     given (under the model's exclusive lock, so no Validate() can fall between the two).
//     On other nodes the session is rejected when their projection reaches the event.
//
// Validate() rejects, in this order: an unknown token (never started, or its end applied), a
// session ended here, one past its absolute expiry, one idle for its idle timeout (since the
// latest of its start, its last Touch() on this node and `observing_since_us`), and one whose
// user may not use the
// portal now (domain::CheckUserActive: portal off, user archived, passive, login disabled or
// locked out, organisation disabled).
//
// Thread-safe. The AccessModel must outlive this object. Last-seen times sit behind one mutex;
// entries of sessions that have ended are swept as the map grows and by LastSeen().
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/check.h"
#include "domain/commands.h"
#include "domain/ids.h"
#include "projections/access_model.h"
#include "schemas/envelope.h"

namespace portico::projections {

enum class SessionVerdict : std::uint8_t {
  kValid,
  kUnknown,          // no active session has this token (or this id)
  kEnded,            // ended on this node; the projection has not applied the end yet
  kAbsoluteExpired,  // now >= absolute_expires_at_us
  kIdleExpired,      // unused for idle_timeout_us on this node
  kUserInactive,     // SessionCheck::user_reason says why
};

// "valid", "unknown", "ended", "absolute_expired", "idle_expired", "user_inactive".
std::string_view SessionVerdictName(SessionVerdict verdict);

struct ActiveSession {
  std::string session_id;
  std::string user_id;
  std::string org_id;
  std::string impersonated_by;  // staff key name for "log in as client", else ""
  std::int64_t started_at_us = 0;
  std::int64_t last_seen_us = 0;  // the later of its start and its last Touch() here
  std::int64_t idle_timeout_us = 0;
  std::int64_t absolute_expires_at_us = 0;
  bool must_reset_password = false;
};

struct SessionCheck {
  SessionVerdict verdict = SessionVerdict::kUnknown;
  domain::Reason user_reason = domain::Reason::kAllowed;  // for kUserInactive
  std::string detail;                                      // human text for logs
  ActiveSession session;                                   // all but kUnknown

  bool valid() const { return verdict == SessionVerdict::kValid; }
};

class SessionsModel {
 public:
  // `observing_since_us`: when this node started seeing sessions used (the process start);
  // no use before it is known here.
  SessionsModel(AccessModel& access, std::int64_t observing_since_us)
      : access_(access), observing_since_us_(observing_since_us) {}
  SessionsModel(const SessionsModel&) = delete;
  SessionsModel& operator=(const SessionsModel&) = delete;

  // `token_hash` is BLAKE2b-256 of the bearer token. Does not Touch().
  SessionCheck Validate(const schemas::Hash& token_hash, std::int64_t now_us) const;

  // Records a use of the session at now_us (a later time wins). Call it after Validate().
  void Touch(const domain::SessionId& session, std::int64_t now_us);

  // The sessions were ended by events that are durable in the log at `ended_at` (the position
  // of the last of them, as the append returned it): reject them on this node from now on.
  void MarkEnded(const std::vector<domain::SessionId>& sessions, Position ended_at);

  // GET /v1/users/{id}/sessions: the user's active sessions at now_us (not ended here, not
  // past their absolute or idle expiry by Validate()'s rule), by session id.
  std::vector<ActiveSession> UserSessions(const domain::UserId& user, std::int64_t now_us) const;

  // Last-seen times of the active sessions touched on this node. Forgets those of sessions
  // that have ended.
  std::unordered_map<std::string, std::int64_t> LastSeen();

  // What the sweeper submits: LastSeen() and `observing_since_us`.
  domain::ExpireSessions ExpiryCommand();

 private:
  std::int64_t LastSeenOf(std::string_view session_id) const;
  // kAbsoluteExpired, kIdleExpired or kValid for `a` (its last_seen_us filled in) at now_us.
  SessionVerdict ExpiryOf(const ActiveSession& a, std::int64_t now_us) const;
  void SweepLocked();  // requires mu_

  AccessModel& access_;
  const std::int64_t observing_since_us_;
  mutable std::mutex mu_;
  domain::StringMap<std::int64_t> last_seen_;  // GUARDED_BY(mu_)
  std::size_t sweep_at_ = 1024;                // GUARDED_BY(mu_)
};

}  // namespace portico::projections
