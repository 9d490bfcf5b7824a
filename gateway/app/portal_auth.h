// What every portal route shares: random tokens and ids, the BLAKE2b-256 token hash that is
// all the log ever keeps of a token, and authenticating a portal session from its bearer
// token (SessionsModel::Validate, then Touch).
#pragma once

#include <cstddef>
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

// The 401 of a missing, unknown, ended or expired session token.
Problem BadSession();

// The session of `token` (valid now), touched; or the 401 problem.
ProblemOr<projections::ActiveSession> AuthenticateToken(const AppRouteDeps& deps, std::string_view token);
// The same with the token from `Authorization: Bearer`.
ProblemOr<projections::ActiveSession> Authenticate(const AppRouteDeps& deps, const Request& request);

// A portal user as the actor of a command (on_behalf_of: the impersonating staff key).
CommandActor PortalActor(const projections::ActiveSession& session);

}  // namespace portico::gateway
