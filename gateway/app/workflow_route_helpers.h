// What the workflow routes (registration, import, portal actions, portal managers) share
// beyond staff_route_helpers.h: the portal wrapper with Idempotency-Key support.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>

#include "gateway/app/portal_auth.h"
#include "gateway/app/staff_routes.h"
#include "gateway/http/router.h"

namespace portico::gateway {

// A portal route: the session (401 without one; context.actor = its user id), then
// Idempotency-Key (when the deps have a store), then `inner` with the session.
using PortalHandler = std::function<boost::asio::awaitable<Response>(
    Request&, RouteContext&, const projections::ActiveSession&)>;
Handler PortalRoute(const AppRouteDeps& deps, PortalHandler inner);

}  // namespace portico::gateway
