// GET /v1/stream: live updates over a WebSocket (RFC 6455, text messages of one JSON object).
//
// Credentials, checked before the handshake (a refusal is a plain HTTP 401 problem):
//   - `Authorization: Bearer <token>` (a portal session token or a staff key), or
//   - for browsers, which cannot set headers on a WebSocket: the subprotocol list
//     `Sec-WebSocket-Protocol: portico.v1, bearer.<token>`; the server then answers
//     `Sec-WebSocket-Protocol: portico.v1`. Tokens are never taken from the URL (URLs end up
//     in logs and histories).
// A portal user receives
//   {"type":"alert","alert":{...as in GET /v1/portal/alerts}} for each new in-portal alert
//     (those after `?after=<position>`, default: the alerts model's position at connect), and
//   {"type":"session_ended","reason":"ended|absolute_expired|idle_expired|user_inactive"}
//     when its session ends (logout, staff, archiving, a password change...); then the server
//     closes the socket (close code 1008, policy violation).
// Staff receive the event feed: one message per event, the same JSON object as an element of
// GET /v1/events' "events", from `?from=<position>` (default: the log's head + 1: only new
// events), in position order.
// The server checks for news every 100 ms; whatever the client sends is read and ignored
// (control frames: ping/pong, close, are handled).
// Each portal user and each staff key may hold at most kStreamsPerCaller streams open at once
// (stream_quota.h); beyond that the upgrade is refused with a plain HTTP 429 problem.
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include "gateway/app/alert_routes.h"
#include "gateway/app/json_views.h"
#include "gateway/app/portal_auth.h"
#include "gateway/app/staff_route_helpers.h"
#include "gateway/app/stream_quota.h"
#include "gateway/http/async.h"
#include "gateway/http/auth.h"
#include "gateway/http/query.h"
#include "gateway/http/response.h"

namespace portico::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using asio::awaitable;
using Socket = websocket::stream<beast::tcp_stream&>;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::milliseconds kPollEvery{100};
constexpr std::string_view kSubprotocol = "portico.v1";
// Enough for a user with a portal open in several tabs and devices.
constexpr std::size_t kStreamsPerCaller = 16;

struct Credentials {
  std::string token;
  bool subprotocol = false;  // came in Sec-WebSocket-Protocol: echo portico.v1
};

std::optional<Credentials> FindCredentials(const Request& request) {
  if (auto bearer = BearerToken(request)) return Credentials{std::string(*bearer), false};
  const std::string_view list = request[beast::http::field::sec_websocket_protocol];
  bool versioned = false;
  std::string token;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view item = list.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == kSubprotocol) versioned = true;
    if (item.starts_with("bearer.")) token = std::string(item.substr(7));
    start = end + 1;
  }
  if (!versioned || token.empty()) return std::nullopt;
  return Credentials{std::move(token), true};
}

awaitable<bool> Send(Socket& ws, const boost::json::value& message) {
  const std::string text = boost::json::serialize(message);
  auto [ec, n] = co_await ws.async_write(asio::buffer(text), kTuple);
  co_return !ec;
}

// Reads (and drops) what the client sends until the socket closes.
awaitable<void> Drain(Socket& ws) {
  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buffer, kTuple);
    if (ec) co_return;
    buffer.consume(buffer.size());
  }
}

awaitable<bool> Pause(const AlertRouteDeps& a) {
  if (a.stopping != nullptr && a.stopping->load()) co_return false;
  asio::steady_timer timer(co_await asio::this_coro::executor, kPollEvery);
  auto [ec] = co_await timer.async_wait(kTuple);
  co_return !ec && !(a.stopping != nullptr && a.stopping->load());
}

awaitable<void> FeedPortal(Socket& ws, const AlertRouteDeps& a, const schemas::Hash& token_hash, std::string user_id,
                           std::uint64_t after) {
  for (;;) {
    const auto check = a.app->sessions->Validate(token_hash, NowMicros());
    // A user told to change its password (a staff force-reset) may use nothing but the
    // password change, and an open stream is no exception.
    const bool must_change_password = check.valid() && MustChangePasswordNow(*a.app, check.session);
    if (!check.valid() || must_change_password) {
      const auto verdict = must_change_password ? std::string("password_change_required")
                           : check.verdict == projections::SessionVerdict::kUnknown
                               ? std::string("ended")
                               : std::string(projections::SessionVerdictName(check.verdict));
      // Messages are built before co_await: GCC 12 cannot keep an initializer list's array
      // alive across a suspension ("array used as initializer").
      const boost::json::value notice = {{"type", "session_ended"}, {"reason", verdict}};
      const websocket::close_reason reason(websocket::close_code::policy_error,
                                           must_change_password ? "password change required" : "session ended");
      if (co_await Send(ws, notice)) co_await ws.async_close(reason, kTuple);
      co_return;
    }
    for (const auto& alert : a.alerts->AlertsAfter(user_id, after)) {
      const boost::json::value message = {{"type", "alert"}, {"alert", AlertToJson(alert)}};
      if (!co_await Send(ws, message)) co_return;
      after = std::max(after, alert.position);
    }
    if (!co_await Pause(a)) co_return;
  }
}

awaitable<void> FeedStaff(Socket& ws, const AlertRouteDeps& a, std::uint64_t from) {
  from = std::max<std::uint64_t>(from, 1);  // positions start at 1; counting from 0 would resend one
  for (;;) {
    auto events = co_await OnWorkerPool(*a.app->pool, [&a, from]() -> Result<boost::json::array> {
      ASSIGN_OR_RETURN(auto read, a.app->store->ReadAll(Position(from), 100));
      boost::json::array out;
      for (const auto& e : read) out.push_back(EventJson(e));
      return out;
    });
    if (!events.ok()) co_return;
    for (auto& event : *events) {
      if (!co_await Send(ws, event)) co_return;
      ++from;
    }
    if (events->empty() && !co_await Pause(a)) co_return;
  }
}

awaitable<void> Serve(const AlertRouteDeps& a, StreamQuota& quota, Request& request, beast::tcp_stream& stream,
                      RouteContext& context) {
  using namespace asio::experimental::awaitable_operators;
  QueryReader q(request.target());
  const auto from = q.OptionalUint("from");
  const auto after = q.OptionalUint("after");
  if (auto problem = q.Finish()) co_return co_await RefuseUpgrade(stream, request, *problem, context);
  auto credentials = FindCredentials(request);
  if (!credentials) co_return co_await RefuseUpgrade(stream, request, BadSession(), context);

  std::optional<std::string> staff = a.app->keys->Authenticate(credentials->token);
  std::optional<projections::ActiveSession> session;
  if (!staff) {
    auto portal = AuthenticateToken(*a.app, credentials->token);
    if (!portal.ok()) co_return co_await RefuseUpgrade(stream, request, portal.problem(), context);
    session = std::move(portal).value();
  }
  context.actor = staff ? *staff : session->user_id;
  context.caller = staff ? CallerKind::kStaff : CallerKind::kPortalUser;
  // Held until the stream ends. Staff key names and user ids are separate namespaces.
  const std::optional<StreamQuota::Lease> lease = quota.TryAcquire((staff ? "staff:" : "user:") + context.actor);
  if (!lease) {
    co_return co_await RefuseUpgrade(
        stream, request,
        Problem::TooManyRequests("at most " + std::to_string(quota.per_caller()) +
                                     " live streams may be open at once for one user or staff key; close one first",
                                 std::chrono::seconds(5)),
        context);
  }
  // Fixed before the handshake, so nothing that happens after the client's 101 is missed.
  const std::uint64_t start = staff ? from.value_or(a.app->store->Head().value() + 1)
                                    : after.value_or(a.alerts->applied().value());

  Socket ws(stream);
  stream.expires_never();
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  const bool echo = credentials->subprotocol;
  ws.set_option(websocket::stream_base::decorator([echo](websocket::response_type& response) {
    if (echo) response.set(beast::http::field::sec_websocket_protocol, kSubprotocol);
  }));
  ws.text(true);
  auto [ec] = co_await ws.async_accept(request, kTuple);
  if (ec) co_return;
  if (staff) {
    co_await (Drain(ws) || FeedStaff(ws, a, start));
  } else {
    const schemas::Hash token_hash = TokenHash(credentials->token);
    co_await (Drain(ws) || FeedPortal(ws, a, token_hash, session->user_id, start));
  }
}

}  // namespace

void AddStreamRoutes(Router& router, const AlertRouteDeps& deps) {
  const auto* a = &deps;
  auto quota = std::make_shared<StreamQuota>(kStreamsPerCaller);  // lives as long as the route
  RouteOptions options;
  options.upgrade = [a, quota](Request& request, beast::tcp_stream& stream,
                               RouteContext& context) -> awaitable<void> {
    co_await Serve(*a, *quota, request, stream, context);
  };
  router.Add(
      Verb::get, "/v1/stream",
      [](Request&, RouteContext&) -> awaitable<Response> {
        co_return ProblemResponse(Problem::BadRequest(
            "GET /v1/stream is a WebSocket: send Connection: Upgrade and Upgrade: websocket"));
      },
      std::move(options));
}

}  // namespace portico::gateway
