// Authentication of portal users, shared by every portal route (portal_routes.cc and the
// workflow routes): the bearer token's BLAKE2b-256 -> SessionsModel::Validate (401 on any
// failure), then Touch; and the actor the session's commands are recorded with.
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

// `bytes` random bytes (libsodium), as URL-safe base64 without padding / as lower-case hex.
std::string RandomToken(std::size_t bytes);
std::string RandomHex(std::size_t bytes);

// BLAKE2b-256 of a session token.
schemas::Hash TokenHash(std::string_view token);

Problem BadSession();  // 401 "missing, invalid or expired session token"

// The caller's session, touched; or the 401 problem.
ProblemOr<projections::ActiveSession> Authenticate(const AppRouteDeps& deps, const Request& request);

// The portal user, with on_behalf_of set when staff impersonate it.
CommandActor PortalActor(const projections::ActiveSession& session);

}  // namespace portico::gateway
