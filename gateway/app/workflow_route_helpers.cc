#include "gateway/app/workflow_route_helpers.h"

#include <memory>

#include "gateway/http/auth.h"
#include "gateway/http/idempotency.h"
#include "gateway/http/response.h"

namespace portico::gateway {

Handler PortalRoute(const AppRouteDeps& deps, PortalHandler inner) {
  const auto* d = &deps;
  auto shared = std::make_shared<PortalHandler>(std::move(inner));
  return [d, shared](Request& request, RouteContext& context) -> boost::asio::awaitable<Response> {
    auto session = Authenticate(*d, request);
    if (!session.ok()) co_return ProblemResponse(session.problem());
    context.actor = session->user_id;
    context.caller = CallerKind::kPortalUser;
    const projections::ActiveSession active = *session;
    Handler run = [shared, active](Request& r, RouteContext& c) { return (*shared)(r, c, active); };
    if (d->idempotency == nullptr) co_return co_await run(request, context);
    co_return co_await WithIdempotency(*d->idempotency, request, context, run);
  };
}

}  // namespace portico::gateway
