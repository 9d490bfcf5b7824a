// The portal routes of API.md ("Portal routes"). Login verifies the password (argon2id, on
// the worker pool; an unknown user name is verified against a dummy hash so both failures
// take as long and answer the same 401). Every other route authenticates its bearer token:
// BLAKE2b-256 of the token -> SessionsModel::Validate (401 on any failure), then Touch.
// POST /v1/portal/password counts a wrong current password exactly as a failed login (the
// same LoginFailed event and lockout), and refuses any change while the user is locked out.
#pragma once

#include "gateway/app/staff_routes.h"
#include "gateway/http/router.h"

namespace portico::gateway {

// `deps` must outlive the router.
void AddPortalRoutes(Router& router, const AppRouteDeps& deps);

}  // namespace portico::gateway
