#include "gateway/app/workflow_route_helpers.h"

#include <cstdint>
#include <memory>
#include <optional>

#include "common/hex.h"
#include "gateway/http/auth.h"
#include "gateway/http/idempotency.h"
#include "gateway/http/json_body.h"
#include "gateway/http/response.h"

namespace portico::gateway {
namespace {

// Hex BLAKE2b-256 of the values of `fields` in the request's JSON body (each length-prefixed,
// so ("ab", "c") and ("a", "bc") differ), or nothing when the body is not a JSON object with
// each of them a string.
std::optional<std::string> HashOfFields(const Request& request, const std::vector<std::string>& fields) {
  auto body = ParseJsonObject(request);
  if (!body.ok()) return std::nullopt;
  std::string joined;
  for (const std::string& field : fields) {
    const auto* value = body->if_contains(field);
    if (value == nullptr || !value->is_string()) return std::nullopt;
    const std::string_view text = value->as_string();
    joined.append(std::to_string(text.size())).append(":").append(text);
  }
  return HexEncode(TokenHash(joined));
}

}  // namespace

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

Handler AnonymousIdempotent(const AppRouteDeps& deps, std::string scope,
                            std::vector<std::string> identifying, Handler inner) {
  if (deps.idempotency == nullptr) return inner;
  IdempotencyStore* store = deps.idempotency;
  return [store, scope = std::move(scope), identifying = std::move(identifying),
          inner = std::move(inner)](Request& request, RouteContext& context) -> boost::asio::awaitable<Response> {
    const auto caller = HashOfFields(request, identifying);
    if (!caller || request.find("Idempotency-Key") == request.end()) co_return co_await inner(request, context);
    context.caller = CallerKind::kAnonymous;
    context.actor = scope + ":" + *caller;
    co_return co_await WithIdempotency(*store, request, context, inner);
  };
}

}  // namespace portico::gateway
