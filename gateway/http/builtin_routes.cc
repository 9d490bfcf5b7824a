#include "gateway/http/builtin_routes.h"

#include <boost/json/value.hpp>

#include "gateway/http/response.h"

namespace portico::gateway {

void AddBuiltinRoutes(Router& router, const MetricsRegistry& metrics) {
  router.Add(Verb::get, "/healthz",
             [](Request&, RouteContext&) -> boost::asio::awaitable<Response> {
               co_return JsonResponse(HttpStatus::ok, boost::json::object{{"status", "ok"}});
             });
  router.Add(Verb::get, "/metrics",
             [&metrics](Request&, RouteContext&) -> boost::asio::awaitable<Response> {
               co_return TextResponse(HttpStatus::ok, "text/plain; version=0.0.4; charset=utf-8",
                                      metrics.Render());
             });
}

}  // namespace portico::gateway
