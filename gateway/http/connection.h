// Internal to the server (server.h): one accepted connection, and the state it shares with
// the server.
//
// A Connection owns its stream, read buffer and the parser of the request being read (a fresh
// parser per request). It lives as long as its Run() coroutine, which co_spawn keeps alive
// through a shared_ptr; it runs on the connection's own strand, and so must CloseIfIdle and
// ForceClose (post them to executor()). It registers itself in ServerShared on creation and
// removes itself on destruction, waking Stop() when the last one goes.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/http/http_metrics.h"
#include "gateway/http/problem.h"
#include "gateway/http/router.h"
#include "gateway/http/server.h"

namespace portico::gateway {

class Connection;

struct ServerShared {
  enum class Admission { kServe, kRefuse, kDrop };
  struct Admitted {
    Admission admission = Admission::kDrop;
    // Set when the new connection is served in the place of this idle one, which the caller
    // must close (Connection::CloseIfIdle, on its executor).
    std::shared_ptr<Connection> evicted;
  };

  ServerShared(ServerOptions o, const Router& r) : options(std::move(o)), router(r) {}

  // Counts a new connection in: served below the limit; at the limit, served in the place of
  // the served connection that has waited longest for a request header (an idle keep-alive
  // connection, or one trickling its header), which is evicted; when none waits, refused
  // (answered 503) up to twice the limit, dropped beyond. So idle connections cannot keep
  // clients with requests to make out: only connections with work in progress (a request
  // being read or handled, a WebSocket) hold the slots.
  Admitted Admit();
  void Register(const std::shared_ptr<Connection>& connection);
  void Unregister(const Connection* connection, bool refused);
  // The registered connections still alive.
  std::vector<std::shared_ptr<Connection>> Connections();
  // Waits until no connection is left, for at most `timeout`; true when none is.
  bool WaitDrained(std::chrono::milliseconds timeout);
  std::size_t Count();

  const ServerOptions options;
  const Router& router;
  std::unique_ptr<HttpMetrics> metrics;  // may be null; set before serving
  std::atomic<bool> stopping{false};

 private:
  std::mutex mutex_;
  std::condition_variable drained_;
  // The served connection waiting longest for a request header and not yet evicted; marks
  // it evicted. Null when there is none.
  std::shared_ptr<Connection> EvictLongestIdle();  // REQUIRES(mutex_)

  std::unordered_map<const Connection*, std::weak_ptr<Connection>> connections_;  // GUARDED_BY
  std::size_t served_ = 0;   // GUARDED_BY(mutex_)
  std::size_t refused_ = 0;  // GUARDED_BY(mutex_)
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // Creates the connection for `socket` and registers it. `refused`: over the connection
  // limit; the first request is answered 503 and the connection closed.
  static std::shared_ptr<Connection> Create(boost::asio::ip::tcp::socket socket,
                                            std::shared_ptr<ServerShared> shared, bool refused);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Serves requests until the connection closes.
  boost::asio::awaitable<void> Run();

  // Closes the connection when it waits for a request (used by Stop to end idle keep-alive
  // connections); an in-flight request is left to finish. On executor() only.
  void CloseIfIdle();
  // Closes the connection whatever it is doing. On executor() only.
  void ForceClose();

  boost::asio::any_io_executor executor() { return stream_.get_executor(); }

  bool refused() const { return refused_; }
  // When it began waiting for its current request header (steady clock, nanoseconds since its
  // epoch); 0 while a request is in progress. Readable from any thread.
  std::int64_t idle_since() const { return idle_since_.load(std::memory_order_relaxed); }
  // Marks the connection evicted: it serves no further request (one in progress is answered
  // with Connection: close). Only ServerShared marks it, under its mutex, after checking
  // evicted(), so no connection is evicted twice.
  void MarkEvicted() { evicted_.store(true); }
  bool evicted() const { return evicted_.load(); }

 private:
  Connection(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerShared> shared,
             bool refused);

  // Reads the body, runs the handler, writes the reply; false when the connection is done.
  boost::asio::awaitable<bool> ServeOne();
  // Reads the rest of the request's body (at most `body_limit` bytes) within the body
  // timeouts (server.h); beast::error::timeout when they pass, the socket still open.
  boost::asio::awaitable<boost::beast::error_code> ReadBody(std::size_t body_limit);
  // body_timer_ fired: cancels the pending body read, unless the timer was re-armed since.
  void OnBodyTimer(boost::beast::error_code ec);
  // Answers a failed read (malformed: 400, header too large: 431, body too large: 413) or
  // closes silently (timeout, reset, end of stream).
  boost::asio::awaitable<void> OnReadError(boost::beast::error_code ec, const Route* route,
                                           std::size_t body_limit);
  boost::asio::awaitable<void> ReplyAndClose(const Problem& problem, const Route* route);
  // Finalizes and writes `response`; false when the connection is done (closed).
  boost::asio::awaitable<bool> Write(Response response, unsigned version, bool keep_alive);
  // Shuts down sending, discards input for up to linger_timeout, closes.
  boost::asio::awaitable<void> LingeringClose();
  void Record(const Route* route, unsigned status, std::chrono::steady_clock::time_point start);

  std::shared_ptr<ServerShared> shared_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::string remote_address_;
  const bool refused_;
  std::atomic<std::int64_t> idle_since_{0};  // see idle_since(); written on the strand only
  std::atomic<bool> evicted_{false};
  // The body's deadlines. Not the stream's own timeout: that closes the socket, and the
  // client would get a reset instead of a 408.
  boost::asio::steady_timer body_timer_;
  bool body_timed_out_ = false;  // on the strand
};

}  // namespace portico::gateway
