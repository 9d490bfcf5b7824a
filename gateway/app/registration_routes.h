// Self-registration (Daftra's "Enable Client Registration"), governed by the provider setting
// self_registration (off / approval / open):
//   PUT    /v1/orgs/{org_id}/registration-code   staff: a new random code for the organisation
//                                                and the level its registrants get; the code
//                                                is shown once, only its hash is stored
//   DELETE /v1/orgs/{org_id}/registration-code   staff: no more registration with it
//   POST   /v1/portal/register                   anyone holding a code: {organisation_code,
//                                                username, display_name, email, password}
//   GET    /v1/registrations?status=&org_id=     staff: registrations (pending by default)
//   POST   /v1/registrations/{user_id}/approve   staff: the user is created, active
//   POST   /v1/registrations/{user_id}/reject    staff: {reason?}
// A closed door (setting off, portal off, unknown code) is one and the same 422 whatever
// the reason, answered before any password hashing, so neither its answer nor its timing
// tells the reasons apart. A pending registration is not a user: it cannot log in.
#pragma once

#include "gateway/app/staff_routes.h"
#include "gateway/http/router.h"

namespace portico::gateway {

// `deps` must outlive the router.
void AddRegistrationRoutes(Router& router, const AppRouteDeps& deps);

}  // namespace portico::gateway
