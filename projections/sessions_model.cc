#include "projections/sessions_model.h"

#include <algorithm>
#include <array>

namespace portico::projections {
namespace {

ActiveSession Describe(const domain::Session& s, const domain::User* user) {
  ActiveSession out;
  out.session_id = s.id.value();
  out.user_id = s.user.value();
  out.impersonated_by = s.impersonated_by;
  out.started_at_us = s.started_at_us;
  out.last_seen_us = s.started_at_us;
  out.idle_timeout_us = s.idle_timeout_us;
  out.absolute_expires_at_us = s.absolute_expires_at_us;
  if (user != nullptr) {
    out.org_id = user->org.value();
    out.must_reset_password = user->must_reset_password;
  }
  return out;
}

}  // namespace

std::string_view SessionVerdictName(SessionVerdict verdict) {
  static constexpr std::array<std::string_view, 6> kNames = {
      "valid", "unknown", "ended", "absolute_expired", "idle_expired", "user_inactive"};
  return kNames[static_cast<std::size_t>(verdict)];
}

SessionCheck SessionsModel::Validate(const schemas::Hash& token_hash, std::int64_t now_us) const {
  const std::string_view token(reinterpret_cast<const char*>(token_hash.data()), token_hash.size());
  // Under one shared lock: the session, the ended-here mark and the user's state at one
  // position. MarkEnded's mark is only forgotten under the exclusive lock, together with the
  // session itself, so one of the two is always seen.
  SessionCheck check = access_.Read([&](const AccessIndex& index) {
    SessionCheck c;
    const domain::AccessState& s = index.state();
    const domain::Session* session = s.FindSessionByToken(token);
    if (session == nullptr) {
      c.detail = "no active session has this token";
      return c;
    }
    const domain::User* user = s.FindUser(session->user.value());
    c.session = Describe(*session, user);
    if (index.IsEndedHere(session->id.value())) {
      c.verdict = SessionVerdict::kEnded;
      c.detail = "session '" + session->id.value() + "' has ended";
      return c;
    }
    if (user == nullptr) {  // Evolve never keeps a session of an unknown user; be safe
      c.detail = "the session's user does not exist";
      return c;
    }
    const domain::CheckResult active = domain::CheckUserActive(s, *user, now_us);
    c.verdict = active.allowed ? SessionVerdict::kValid : SessionVerdict::kUserInactive;
    c.user_reason = active.reason;
    c.detail = active.detail;
    return c;
  });
  if (check.verdict != SessionVerdict::kValid && check.verdict != SessionVerdict::kUserInactive) return check;

  ActiveSession& a = check.session;
  a.last_seen_us = std::max(a.started_at_us, LastSeenOf(a.session_id));
  const SessionVerdict expiry = ExpiryOf(a, now_us);
  if (expiry == SessionVerdict::kAbsoluteExpired) {
    check.verdict = expiry;
    check.user_reason = domain::Reason::kAllowed;
    check.detail = "session '" + a.session_id + "' expired at " + std::to_string(a.absolute_expires_at_us) + " us";
  } else if (expiry == SessionVerdict::kIdleExpired) {
    check.verdict = expiry;
    check.user_reason = domain::Reason::kAllowed;
    check.detail = "session '" + a.session_id + "' has been idle since " +
                   std::to_string(std::max(a.last_seen_us, observing_since_us_)) + " us";
  }
  return check;
}

SessionVerdict SessionsModel::ExpiryOf(const ActiveSession& a, std::int64_t now_us) const {
  if (now_us >= a.absolute_expires_at_us) return SessionVerdict::kAbsoluteExpired;
  // A use before this node started observing is unknown here, so the idle clock starts no
  // earlier than that (see the header): the same rule as domain::ExpireSessions.
  const std::int64_t idle_since = std::max(a.last_seen_us, observing_since_us_);
  if (a.idle_timeout_us > 0 && now_us - idle_since >= a.idle_timeout_us) return SessionVerdict::kIdleExpired;
  return SessionVerdict::kValid;
}

void SessionsModel::Touch(const domain::SessionId& session, std::int64_t now_us) {
  std::lock_guard lock(mu_);
  auto it = last_seen_.find(session.value());
  if (it == last_seen_.end()) {
    last_seen_.emplace(session.value(), now_us);
    if (last_seen_.size() >= sweep_at_) SweepLocked();
  } else {
    it->second = std::max(it->second, now_us);
  }
}

void SessionsModel::MarkEnded(const std::vector<domain::SessionId>& sessions, Position ended_at) {
  access_.MarkSessionsEnded(sessions, ended_at);
}

std::vector<ActiveSession> SessionsModel::UserSessions(const domain::UserId& user_id, std::int64_t now_us) const {
  std::vector<ActiveSession> out = access_.Read([&](const AccessIndex& index) {
    std::vector<ActiveSession> sessions;
    const domain::User* user = index.state().FindUser(user_id.value());
    if (user == nullptr) return sessions;
    for (const std::string& id : user->sessions) {  // sorted
      const domain::Session* s = index.state().FindSession(id);
      if (s != nullptr && !index.IsEndedHere(id)) sessions.push_back(Describe(*s, user));
    }
    return sessions;
  });
  {
    std::lock_guard lock(mu_);
    for (ActiveSession& a : out) {
      if (const auto it = last_seen_.find(a.session_id); it != last_seen_.end()) {
        a.last_seen_us = std::max(a.started_at_us, it->second);
      }
    }
  }
  // Expired ones are refused by Validate() already; the sweeper's SessionEnded may come later
  // (or never, with sweeping off), and the list must not show them as active meanwhile.
  std::erase_if(out, [&](const ActiveSession& a) { return ExpiryOf(a, now_us) != SessionVerdict::kValid; });
  return out;
}

std::unordered_map<std::string, std::int64_t> SessionsModel::LastSeen() {
  std::lock_guard lock(mu_);
  SweepLocked();
  return {last_seen_.begin(), last_seen_.end()};
}

domain::ExpireSessions SessionsModel::ExpiryCommand() {
  return domain::ExpireSessions{LastSeen(), observing_since_us_};
}

std::int64_t SessionsModel::LastSeenOf(std::string_view session_id) const {
  std::lock_guard lock(mu_);
  const auto it = last_seen_.find(session_id);
  return it == last_seen_.end() ? 0 : it->second;
}

void SessionsModel::SweepLocked() {
  // Lock order: mu_, then the model's shared lock (Validate never holds both).
  access_.Read([&](const AccessIndex& index) {
    std::erase_if(last_seen_, [&](const auto& entry) {
      return index.state().FindSession(entry.first) == nullptr || index.IsEndedHere(entry.first);
    });
    return 0;
  });
  sweep_at_ = std::max<std::size_t>(1024, 2 * last_seen_.size());
}

}  // namespace portico::projections
