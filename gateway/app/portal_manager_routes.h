// Portal managers: a portal user whose level (or grants) hold users.manage manages the users
// of its own organisation (domain/commands.h, PortalManagerAction):
//   GET    /v1/portal/users                          the organisation's users
//   POST   /v1/portal/users                          {username, display_name, email, level,
//                                                    user_type?, password?, must_reset_password?,
//                                                    user_id?}
//   PUT    /v1/portal/users/{user_id}/level          {level}: from the organisation's allowed
//                                                    levels, never above the manager
//   POST   /v1/portal/users/{user_id}/password       {password, must_reset_password?}: set it
//                                                    (ends the user's sessions)
//   POST   /v1/portal/users/{user_id}/force-reset    must set a new password at next login
//   DELETE /v1/portal/users/{user_id}/sessions       ends every session of the user
//   POST   /v1/portal/users/{user_id}/archive        archives it (ends its sessions)
// A user of another organisation is 404, like an unknown one. A manager without users.manage,
// in a restricted organisation, or acting on or handing out capabilities beyond its own
// ("above": a capability set that is not a subset of the manager's effective capabilities,
// scopes included) gets 403. The events record the manager as their actor.
#pragma once

#include "gateway/app/staff_routes.h"
#include "gateway/http/router.h"

namespace portico::gateway {

// `deps` must outlive the router.
void AddPortalManagerRoutes(Router& router, const AppRouteDeps& deps);

}  // namespace portico::gateway
