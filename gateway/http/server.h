// The HTTP/1.1 server: Boost.Beast on Asio, C++20 coroutines throughout.
//
// Start() binds, listens and runs `io_threads` threads on one io_context. A listener accepts
// each connection onto its own strand; the connection (connection.h) reads requests one at a
// time and answers them in order, so keep-alive and pipelining (several requests in one
// write) work, with replies in request order. Per request:
//   - the header must arrive within header_timeout (also the idle keep-alive timeout) and fit
//     in header_limit bytes: an idle or slow connection is closed silently; an oversized
//     header is answered 431 problem and the connection closed;
//   - the body limit is the matched route's (RouteOptions::body_limit, default 1 MiB; the
//     default for unmatched requests): a larger Content-Length, or a chunked body growing past
//     it, is answered 413 problem without calling the handler, and the connection closed; the
//     body must keep arriving: at most body_timeout between two reads, and all of it within
//     body_timeout plus its size (Content-Length, else the route's limit) at body_min_rate,
//     so a 64 MiB import on a slow link gets the time it needs while a client trickling a
//     byte now and then cannot hold a connection for long; past either, 408 problem and the
//     connection closed;
//   - a malformed request is answered 400 problem and the connection closed;
//   - the handler runs on the connection's strand (Router::Invoke); the reply gets the
//     security headers (response.h) and is written within write_timeout.
// Connection limit: at most max_connections connections are served. At the limit a new
// connection takes the place of the served one that has waited longest for a request header
// (idle keep-alive, or trickling its header), which is closed (or, if a request has begun on
// it meanwhile, closed after answering it, with Connection: close), so clients holding idle
// connections cannot lock out clients with requests to make. Only when every served
// connection has work in progress (a request being read or handled, a WebSocket) is a new
// connection still accepted, its first request header read, and answered 503 problem with
// Retry-After: 1 and Connection: close, so a client sees a clear answer rather than a reset;
// beyond twice the limit a connection is closed at once. Rejections are counted in
// portico_http_connections_rejected_total, evictions in portico_http_connections_evicted_total.
// Whenever the server closes a connection it shuts down its sending side and discards what
// the client still sends for up to linger_timeout, so the last reply is not lost to a reset.
//
// Stop() drains: it stops accepting, closes idle keep-alive connections, lets in-flight
// requests finish (their reply says Connection: close) for up to drain_timeout, then closes
// what is left and joins the threads. Work a handler awaits on a worker pool may then still
// post its completion to this server's io_context: join such pools before destroying the
// Server. Stop() must not be called from one of the server's own threads (it would wait on
// itself); it is idempotent, and the destructor calls it.
//
// The Router and the MetricsRegistry must outlive the Server. Thread-safe: Start once, then
// Stop and the accessors from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "gateway/http/metrics.h"
#include "gateway/http/router.h"

namespace portico::gateway {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: an ephemeral port, see Server::port()
  std::size_t io_threads = 2;
  std::size_t max_connections = 1024;
  std::size_t header_limit = 16 * 1024;              // bytes: request line and header fields
  std::chrono::milliseconds header_timeout{30'000};  // also the keep-alive idle timeout
  std::chrono::milliseconds body_timeout{30'000};  // the longest pause within a body
  std::size_t body_min_rate = 64 * 1024;            // bytes per second, over the whole body
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds drain_timeout{10'000};
  std::chrono::milliseconds linger_timeout{1'000};
};

// Splits "HOST:PORT" ("[::1]:8080" for IPv6) as given to --http. InvalidArgument when
// malformed.
Result<std::pair<std::string, std::uint16_t>> SplitHostPort(std::string_view host_port);

class Server {
 public:
  // `metrics` may be null (no request metrics).
  Server(ServerOptions options, const Router& router, MetricsRegistry* metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving. Unavailable when the address cannot be bound.
  Status Start();

  // The bound port (useful with port 0); 0 before Start.
  std::uint16_t port() const;

  void Stop();

  // True from the moment Stop() is called.
  bool stopping() const;
  // Connections open right now (served and refused ones).
  std::size_t active_connections() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace portico::gateway
