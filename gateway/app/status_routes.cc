#include "gateway/app/status_routes.h"

#include <boost/json.hpp>

#include "gateway/http/response.h"

namespace portico::gateway {
namespace {

boost::json::object ProjectionPositions(const projections::RunnerStats& stats) {
  boost::json::object out;
  for (const auto& p : stats.projections) out[p.name] = p.applied.value();
  return out;
}

}  // namespace

void AddStatusRoutes(Router& router, const StatusSources& sources) {
  router.Add(Verb::get, "/readyz",
             [&sources](Request&, RouteContext&) -> boost::asio::awaitable<Response> {
               const Position head = sources.store->Head();
               const auto stats = sources.runner->Stats();
               for (const auto& p : stats.projections) {
                 if (p.halted) {
                   co_return ProblemResponse(Problem::Unavailable(
                       "projection '" + p.name + "' is halted: " + p.halt_reason));
                 }
               }
               if (stats.applied < head) {
                 co_return ProblemResponse(Problem::Unavailable(
                     "projections at position " + std::to_string(stats.applied.value()) +
                     ", log at " + std::to_string(head.value())));
               }
               co_return JsonResponse(HttpStatus::ok, {{"status", "ready"},
                                                       {"position", head.value()}});
             });

  router.Add(Verb::get, "/v1/status",
             [&sources](Request&, RouteContext&) -> boost::asio::awaitable<Response> {
               const auto runner = sources.runner->Stats();
               const auto relay = sources.relay->Stats();
               boost::json::object body;
               body["position"] = sources.store->Head().value();
               body["projections"] = ProjectionPositions(runner);
               body["relay"] = {{"checkpoint", relay.checkpoint.value()},
                                {"lag", relay.lag},
                                {"delivery_errors", relay.delivery_errors}};
               body["kafka"] = {
                   {"embedded", sources.kafka->embedded()},
                   {"bootstrap", sources.bootstrap},
                   {"topics",
                    {{"events", sources.kafka->events_topic},
                     {"notifications", sources.kafka->notifications_topic}}}};
               co_return JsonResponse(HttpStatus::ok, body);
             });
}

}  // namespace portico::gateway
