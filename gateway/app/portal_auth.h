// What every portal route shares: random tokens and ids, the BLAKE2b-256 token hash that is
// all the log ever keeps of a token, and authenticating a portal session from its bearer
// token (SessionsModel::Validate, then Touch).
//
// A user who must reset its password (must_reset_password: set by staff, or by a forced
// reset) may, until it has changed it, only call the routes of PasswordChangeAllowed:
// Authenticate answers every other portal route with 403 problem type
// urn:portico:problem:password-change-required. The read model says who must reset; a "yes" is
// confirmed against this node's write model, so the request right after the change passes. Every portal route authenticates through
// Authenticate, so a new route gets the rule without doing anything.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/app/staff_routes.h"
#include "gateway/http/problem.h"
#include "gateway/http/types.h"
#include "projections/sessions_model.h"
#include "schemas/envelope.h"

namespace portico::gateway {

// BLAKE2b-256 of a token.
schemas::Hash TokenHash(std::string_view token);
// `bytes` random bytes, URL-safe base64 without padding.
std::string RandomToken(std::size_t bytes);
// `bytes` random bytes, lower-case hex.
std::string RandomHex(std::size_t bytes);

// A new session's bearer token (256 random bits), its hash and id ("s_" + 128 random bits).
struct NewSessionCredentials {
  std::string token;
  schemas::Hash token_hash{};
  domain::SessionId session_id;
};
NewSessionCredentials MakeSessionCredentials();

// The SessionStarted event among a command's events, or null.
const schema::SessionStartedT* FindSessionStarted(const CommandOutcome& outcome);

// After a session started at `position`: waits (bounded, holding no thread) until the access
// model has applied it, so the token validates on its very next request here; the 503
// otherwise.
boost::asio::awaitable<std::optional<Problem>> AwaitSessionVisible(const AppRouteDeps& deps,
                                                                   Position position);

// The 401 of a missing, unknown, ended or expired session token.
Problem BadSession();

// The session of `token` (valid now), touched; or the 401 problem.
// `password_change_allowed`: the request is one a user who must change its password may still
// make (PasswordChangeAllowed); otherwise such a user gets PasswordChangeRequired().
ProblemOr<projections::ActiveSession> AuthenticateToken(const AppRouteDeps& deps, std::string_view token,
                                                       bool password_change_allowed = false);
// The same with the token from `Authorization: Bearer`, and the must-reset rule above.
ProblemOr<projections::ActiveSession> Authenticate(const AppRouteDeps& deps, const Request& request);

// POST /v1/portal/password, GET /v1/portal/me, POST /v1/portal/logout: what a user who must
// reset its password may still call.
bool PasswordChangeAllowed(const Request& request);
// The 403 every other route answers such a user.
Problem PasswordChangeRequired();
// True when the session's user must change its password before anything but those calls: the
// read model says so and this node's write model agrees (it may have applied a change the read
// model has not yet). Also checked by the portal's /v1/stream while it is open.
bool MustChangePasswordNow(const AppRouteDeps& deps, const projections::ActiveSession& session);

// A portal user as the actor of a command (on_behalf_of: the impersonating staff key).
CommandActor PortalActor(const projections::ActiveSession& session);

}  // namespace portico::gateway
