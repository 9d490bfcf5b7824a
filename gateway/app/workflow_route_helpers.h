// What the workflow routes (registration, import, portal actions, portal managers, password
// reset) share beyond staff_route_helpers.h: the portal wrapper with Idempotency-Key support,
// and Idempotency-Key support for the commands of callers without credentials.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <vector>

#include "gateway/app/portal_auth.h"
#include "gateway/app/staff_routes.h"
#include "gateway/http/router.h"

namespace portico::gateway {

// A portal route: the session (401 without one; context.actor = its user id), then
// Idempotency-Key (when the deps have a store), then `inner` with the session.
using PortalHandler = std::function<boost::asio::awaitable<Response>(
    Request&, RouteContext&, const projections::ActiveSession&)>;
Handler PortalRoute(const AppRouteDeps& deps, PortalHandler inner);

// Idempotency-Key (when the deps have a store) for a command whose caller has no credentials
// (POST /v1/portal/register, /v1/portal/password-reset/confirm), then `inner`. Such a caller
// has no identity to scope its key by (idempotency.h), so the key is scoped by `scope` and a
// hash of the values of the body's `identifying` fields, the secrets only that caller holds
// (the organisation code and user name of a registration, a reset token): another client
// never shares the scope unless it sent those very values, and even then gets the stored
// reply only for the same body (fingerprint), so it learns nothing it did not send. A body
// without those fields as strings runs without the key (`inner` answers its 400). The key is
// not handed to the event store (the domain refuses such a command twice anyway: a taken user
// name, a spent token).
Handler AnonymousIdempotent(const AppRouteDeps& deps, std::string scope,
                            std::vector<std::string> identifying, Handler inner);

}  // namespace portico::gateway
