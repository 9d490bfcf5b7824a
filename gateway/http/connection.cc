#include "gateway/http/connection.h"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "common/log.h"
#include "gateway/http/auth.h"
#include "gateway/http/response.h"

namespace portico::gateway {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// Lingering close discards at most this much of what a client still sends.
constexpr std::size_t kMaxLingerBytes = std::size_t{4} << 20;

const std::shared_ptr<spdlog::logger>& Log() {
  static const auto log = NamedLogger("gateway");
  return log;
}

Problem TooLarge(std::size_t limit) {
  return Problem::PayloadTooLarge("the body is larger than this route accepts (" +
                                  std::to_string(limit) + " bytes)");
}

bool Expects100Continue(const Request& header) {
  auto expect = header[http::field::expect];
  return beast::iequals(expect, "100-continue");
}

}  // namespace

// ServerShared

ServerShared::Admitted ServerShared::Admit() {
  std::lock_guard lock(mutex_);
  if (served_ < options.max_connections) {
    ++served_;
    return {Admission::kServe, nullptr};
  }
  // The evicted connection still counts until it is gone, so the count may pass the limit by
  // the evictions in progress; each ends within a request.
  if (auto evicted = EvictLongestIdle()) {
    ++served_;
    return {Admission::kServe, std::move(evicted)};
  }
  if (refused_ < options.max_connections) {
    ++refused_;
    return {Admission::kRefuse, nullptr};
  }
  return {Admission::kDrop, nullptr};
}

std::shared_ptr<Connection> ServerShared::EvictLongestIdle() {
  // Entries are erased by ~Connection under mutex_, so every key here points to a connection
  // whose members are still alive: reading its atomics needs no reference. Taking one (lock)
  // is left to the single candidate, and it is released by the caller, outside mutex_ (the
  // last reference's destructor takes mutex_).
  const std::weak_ptr<Connection>* longest = nullptr;
  std::int64_t longest_since = 0;
  for (const auto& [connection, weak] : connections_) {
    const std::int64_t since = connection->idle_since();
    if (connection->refused() || since == 0 || connection->evicted()) continue;
    if (longest == nullptr || since < longest_since) {
      longest = &weak;
      longest_since = since;
    }
  }
  if (longest == nullptr) return nullptr;
  std::shared_ptr<Connection> evicted = longest->lock();  // null: it is being destroyed
  if (evicted != nullptr) evicted->MarkEvicted();
  return evicted;
}

void ServerShared::Register(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mutex_);
  connections_.emplace(connection.get(), connection);
}

void ServerShared::Unregister(const Connection* connection, bool refused) {
  std::lock_guard lock(mutex_);
  connections_.erase(connection);
  --(refused ? refused_ : served_);
  if (connections_.empty()) drained_.notify_all();
}

std::vector<std::shared_ptr<Connection>> ServerShared::Connections() {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<Connection>> out;
  for (auto& [key, weak] : connections_) {
    if (auto c = weak.lock()) out.push_back(std::move(c));
  }
  return out;
}

bool ServerShared::WaitDrained(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return drained_.wait_for(lock, timeout, [this] { return connections_.empty(); });
}

std::size_t ServerShared::Count() {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

// Connection

std::shared_ptr<Connection> Connection::Create(tcp::socket socket,
                                               std::shared_ptr<ServerShared> shared, bool refused) {
  std::shared_ptr<Connection> connection(
      new Connection(std::move(socket), std::move(shared), refused));
  connection->shared_->Register(connection);
  return connection;
}

Connection::Connection(tcp::socket socket, std::shared_ptr<ServerShared> shared, bool refused)
    : shared_(std::move(shared)),
      stream_(std::move(socket)),
      refused_(refused),
      body_timer_(stream_.get_executor()) {
  beast::error_code ec;
  auto endpoint = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_address_ = endpoint.address().to_string();
}

Connection::~Connection() { shared_->Unregister(this, refused_); }

void Connection::CloseIfIdle() {
  if (idle_since() != 0) ForceClose();
}

void Connection::ForceClose() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

asio::awaitable<void> Connection::Run() {
  const ServerOptions& options = shared_->options;
  while (!shared_->stopping.load() && !evicted_.load()) {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options.header_limit));
    parser_->body_limit(boost::none);  // the route's limit applies once the header is read
    const std::int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
    idle_since_.store(now | 1, std::memory_order_relaxed);  // never 0, which means busy
    stream_.expires_after(options.header_timeout);
    auto [ec, bytes] = co_await http::async_read_header(stream_, buffer_, *parser_, kUseTuple);
    idle_since_.store(0, std::memory_order_relaxed);
    if (ec) {
      co_await OnReadError(ec, nullptr, kDefaultBodyLimit);
      co_return;
    }
    if (refused_) {
      co_await ReplyAndClose(Problem::Unavailable("the server is at its connection limit"),
                             nullptr);
      co_return;
    }
    if (!co_await ServeOne()) co_return;
  }
  ForceClose();  // stopping or evicted: this connection is idle between requests
}

asio::awaitable<bool> Connection::ServeOne() {
  const ServerOptions& options = shared_->options;
  const auto started = std::chrono::steady_clock::now();
  RouteMatch match = shared_->router.Find(parser_->get().method(), parser_->get().target());
  const Route* route = match.route;
  const std::size_t limit = route != nullptr ? route->options.body_limit : kDefaultBodyLimit;
  if (auto length = parser_->content_length(); length && *length > limit) {
    co_await ReplyAndClose(TooLarge(limit), route);
    co_return false;
  }
  if (auto refusal = route != nullptr ? RefuseBeforeBody(*route, parser_->get()) : std::nullopt) {
    co_await ReplyAndClose(*refusal, route);
    co_return false;
  }
  parser_->body_limit(limit);
  if (!parser_->is_done()) {
    if (Expects100Continue(parser_->get())) {
      http::response<http::empty_body> proceed{http::status::continue_, 11};
      stream_.expires_after(options.write_timeout);
      auto [ec, n] = co_await http::async_write(stream_, proceed, kUseTuple);
      if (ec) co_return false;
    }
    const beast::error_code ec = co_await ReadBody(limit);
    if (ec == beast::error::timeout) {
      co_await ReplyAndClose(Problem::RequestTimeout("the request body did not arrive in time"), route);
      co_return false;
    }
    if (ec) {
      co_await OnReadError(ec, route, limit);
      co_return false;
    }
  }
  stream_.expires_never();

  Request request = parser_->release();
  RouteContext context;
  context.remote_address = remote_address_;
  if (route != nullptr && route->options.upgrade && beast::websocket::is_upgrade(request)) {
    // A WebSocket (router.h, UpgradeHandler): the route owns the stream until it returns.
    context.route = route;
    context.params = std::move(match.params);
    co_await route->options.upgrade(request, stream_, context);
    Record(route, context.upgrade_status, started);
    ForceClose();
    co_return false;
  }
  Response response = co_await shared_->router.Invoke(std::move(match), request, context);
  Record(route, response.result_int(), started);
  const bool keep_alive = request.keep_alive() && !shared_->stopping.load() && !evicted_.load();
  co_return co_await Write(std::move(response), request.version(), keep_alive);
}

asio::awaitable<beast::error_code> Connection::ReadBody(std::size_t body_limit) {
  using Clock = std::chrono::steady_clock;
  const ServerOptions& options = shared_->options;
  const std::uint64_t size = parser_->content_length().value_or(body_limit);
  const auto at_min_rate = std::chrono::milliseconds(size * 1000 / std::max<std::size_t>(options.body_min_rate, 1));
  const auto deadline = Clock::now() + options.body_timeout + at_min_rate;
  stream_.expires_never();
  body_timed_out_ = false;
  while (!parser_->is_done()) {
    body_timer_.expires_at(std::min(Clock::now() + options.body_timeout, deadline));
    body_timer_.async_wait([self = shared_from_this()](beast::error_code ec) { self->OnBodyTimer(ec); });
    auto [ec, n] = co_await http::async_read_some(stream_, buffer_, *parser_, kUseTuple);
    body_timer_.expires_at(Clock::time_point::max());  // cancels the wait, disarms a fired one
    if (body_timed_out_) co_return beast::error::timeout;
    if (ec) co_return ec;
  }
  co_return beast::error_code{};
}

void Connection::OnBodyTimer(beast::error_code ec) {
  // A wait that was cancelled, or one that fired just as its read completed (the timer has
  // been re-armed or disarmed since), must not cut a later read or write short.
  if (ec || body_timer_.expiry() > std::chrono::steady_clock::now()) return;
  body_timed_out_ = true;
  beast::error_code ignored;
  stream_.socket().cancel(ignored);
}

asio::awaitable<void> Connection::OnReadError(beast::error_code ec, const Route* route,
                                              std::size_t body_limit) {
  if (ec == http::error::header_limit) {
    co_await ReplyAndClose(
        Problem::HeadersTooLarge("the request header is larger than " +
                                 std::to_string(shared_->options.header_limit) + " bytes"),
        route);
  } else if (ec == http::error::body_limit) {
    co_await ReplyAndClose(TooLarge(body_limit), route);
  } else if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
             ec != http::error::end_of_stream && ec != http::error::partial_message) {
    // A parse error: the client sent something that is not HTTP/1.1.
    co_await ReplyAndClose(Problem::BadRequest("malformed HTTP request: " + ec.message()), route);
  } else {
    ForceClose();  // timeout, reset, end of stream, closed by Stop
  }
}

asio::awaitable<void> Connection::ReplyAndClose(const Problem& problem, const Route* route) {
  Record(route, problem.status, std::chrono::steady_clock::now());
  co_await Write(ProblemResponse(problem), 11, false);
}

asio::awaitable<bool> Connection::Write(Response response, unsigned version, bool keep_alive) {
  FinalizeResponse(response, version, keep_alive);
  stream_.expires_after(shared_->options.write_timeout);
  auto [ec, bytes] = co_await http::async_write(stream_, response, kUseTuple);
  if (ec) {
    ForceClose();
    co_return false;
  }
  if (!keep_alive) {
    co_await LingeringClose();
    co_return false;
  }
  co_return true;
}

asio::awaitable<void> Connection::LingeringClose() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.expires_after(shared_->options.linger_timeout);
  std::array<char, 4096> scratch;
  for (std::size_t total = 0; total < kMaxLingerBytes;) {
    auto [read_ec, n] = co_await stream_.async_read_some(asio::buffer(scratch), kUseTuple);
    if (read_ec) break;
    total += n;
  }
  stream_.close();
}

void Connection::Record(const Route* route, unsigned status,
                        std::chrono::steady_clock::time_point start) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (shared_->metrics) shared_->metrics->Record(route, status, seconds);
  Log()->debug("{} {} -> {} in {:.3f} ms", remote_address_,
               route != nullptr ? route->pattern : std::string("(unmatched)"), status,
               seconds * 1000);
}

}  // namespace portico::gateway
