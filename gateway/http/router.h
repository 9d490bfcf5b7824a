// Routing: method + path pattern -> handler.
//
// A pattern is an absolute path whose segments are literals or {name} parameters, such as
// "/v1/orgs/{org_id}/users". A parameter matches exactly one non-empty path segment and its
// value is percent-decoded; literals are compared with the decoded segment too. Paths match
// exactly: no trailing-slash folding, no case folding. Where several patterns match one path
// the most specific wins: at the first segment where they differ, a literal beats a parameter
// ("/v1/portal/me" beats "/v1/portal/{id}").
//
// A handler is a coroutine: it may co_await work done elsewhere (async.h) without blocking an
// I/O thread. It runs on its connection's strand, with `request` and `context` alive until it
// completes. A Route's pattern is its name for metrics and logs: never the raw path.
//
// Find is a pure function of (method, target). Dispatch is the router as a function from
// request to response, testable without sockets: the matched handler's reply, or a problem:
// 400 when the target is not an origin-form URL or a path parameter is not UTF-8 once decoded
// (handlers echo parameters in problem details, which must stay valid JSON), 404 when no
// pattern matches the path, 405 with Allow when patterns match the path but not the method,
// 500 when the handler throws (logged, never sent).
//
// Threading: Add every route before the router is shared; after that it is immutable and all
// const methods are thread-safe. The router must outlive every Dispatch call (the handlers,
// and whatever their lambdas capture, live in it).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/http/problem.h"
#include "gateway/http/types.h"

namespace portico::gateway {

inline constexpr std::size_t kDefaultBodyLimit = std::size_t{1} << 20;  // 1 MiB

// Decoded {name} -> value pairs of a matched path, in pattern order.
using PathParams = std::vector<std::pair<std::string, std::string>>;

struct Route;
struct CompiledPattern;  // router.cc

// What a handler knows about its request beyond the request itself.
// Who authenticated a request: with RouteContext::actor, the scope of its Idempotency-Key.
enum class CallerKind : std::uint8_t { kAnonymous, kStaff, kPortalUser };

struct RouteContext {
  const Route* route = nullptr;  // the matched route
  PathParams params;             // the path parameters
  std::string remote_address;    // the peer's IP address (no port): rate limits, logs
  std::string actor;             // set by authentication: a staff key's name, a user id
  CallerKind caller = CallerKind::kAnonymous;  // set by authentication with `actor`
  // The status an UpgradeHandler wrote: it keeps 101 when the handshake completes and must
  // set the refusal's status when it answers with plain HTTP instead (RefuseUpgrade does), so
  // metrics and logs count what the client got.
  unsigned upgrade_status = 101;

  // The value of path parameter `name`; empty when the pattern has none such.
  std::string_view Param(std::string_view name) const;
};

using Handler = std::function<boost::asio::awaitable<Response>(Request&, RouteContext&)>;

// A WebSocket route's upgrade: the server calls it instead of the handler when the request
// asks to upgrade to a WebSocket, passing the connection's stream, which the callee owns until
// it returns (then the server closes the connection). It either completes the handshake or
// writes a plain HTTP refusal itself (RefuseUpgrade below, which records its status in the
// context). A request that does not ask to upgrade gets `handler`.
using UpgradeHandler =
    std::function<boost::asio::awaitable<void>(Request&, boost::beast::tcp_stream&, RouteContext&)>;

// Writes `problem` as an upgrade's plain HTTP refusal (no keep-alive) and sets
// context.upgrade_status to its status.
boost::asio::awaitable<void> RefuseUpgrade(boost::beast::tcp_stream& stream,
                                           const Request& request, const Problem& problem,
                                           RouteContext& context);

struct RouteOptions {
  // Largest request body accepted; beyond it the server answers 413 without calling the
  // handler. The CSV import raises it for its route.
  std::size_t body_limit = kDefaultBodyLimit;
  UpgradeHandler upgrade;  // set for WebSocket routes (GET /v1/stream)
};

struct Route {
  Verb method;
  std::string pattern;  // as given to Add; the route's name in metrics
  Handler handler;
  RouteOptions options;
  std::size_t index = 0;  // dense from 0, in the order routes were added
};

// The outcome of Find: a route with its parameters, or the problem to answer.
struct RouteMatch {
  const Route* route = nullptr;
  PathParams params;
  std::optional<Problem> problem;  // set exactly when route is null
};

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers a route. Throws std::invalid_argument on a malformed pattern (not starting with
  // '/', an empty segment, a bad parameter name) or when a route with the same method and
  // the same shape of pattern exists: both are programming errors found at start-up.
  const Route& Add(Verb method, std::string_view pattern, Handler handler,
                   RouteOptions options = {});

  // The route for (method, target); `target` is the request target, query string included.
  RouteMatch Find(Verb method, std::string_view target) const;

  // Runs the route found by Find (filling context.route and context.params) or answers its
  // problem.
  boost::asio::awaitable<Response> Dispatch(Request& request, RouteContext& context) const;

  // Runs match.route's handler with context.route/params taken from `match`, or answers
  // match.problem. Catches handler exceptions (500).
  boost::asio::awaitable<Response> Invoke(RouteMatch match, Request& request,
                                          RouteContext& context) const;

  // Every route, in the order added (Route::index).
  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  std::vector<std::unique_ptr<Route>> routes_;
  std::vector<CompiledPattern> compiled_;  // parallel to routes_
};

}  // namespace portico::gateway
