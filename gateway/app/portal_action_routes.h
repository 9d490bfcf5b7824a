// What a portal user does itself, each checked against its capabilities and scopes
// (domain::Check), each refused in a restricted organisation, each recorded as an event that
// downstream systems receive on portico.events:
//   POST /v1/portal/tasks                          {title, description?, kind?: task|work_request}
//                                                  tasks.create / work_requests.submit
//   POST /v1/portal/resources/{id}/notes           {body}: tasks.notes.add on a task (seeing the
//                                                  resource on other types); visible to the
//                                                  author's organisation's portal users
//   POST /v1/portal/resources/{id}/approve         {comment?}: estimates.approve
//   POST /v1/portal/resources/{id}/payment-intents {amount_cents, currency, method}: invoices.pay
//   PUT  /v1/portal/me                             {display_name, email, phone?}: profile.update
// Status codes (API.md): 404 when the resource is unknown or not visible to the user (the
// same answer, so existence does not leak); 403 when the user may see the resource (or the
// action needs none) but the check refuses the capability: lacking it, or a restricted
// organisation; the problem's detail names the check's reason. 422 when the capability does
// not apply to the resource's type (approving a task). Idempotency-Key is honoured.
#pragma once

#include "gateway/app/staff_routes.h"
#include "gateway/http/router.h"

namespace portico::gateway {

// `deps` must outlive the router.
void AddPortalActionRoutes(Router& router, const AppRouteDeps& deps);

}  // namespace portico::gateway
