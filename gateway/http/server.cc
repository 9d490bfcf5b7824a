#include "gateway/http/server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <exception>
#include <optional>
#include <thread>
#include <vector>

#include "common/log.h"
#include "gateway/http/connection.h"

namespace portico::gateway {
namespace asio = boost::asio;
using tcp = boost::asio::ip::tcp;

namespace {

const std::shared_ptr<spdlog::logger>& Log() {
  static const auto log = NamedLogger("gateway");
  return log;
}

// Completion of a detached coroutine: logs what escaped it.
void LogEscaped(std::exception_ptr error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    Log()->error("HTTP coroutine failed: {}", e.what());
  } catch (...) {
    Log()->error("HTTP coroutine failed with a non-standard exception");
  }
}

}  // namespace

Result<std::pair<std::string, std::uint16_t>> SplitHostPort(std::string_view host_port) {
  const auto colon = host_port.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument("expected HOST:PORT, got '" + std::string(host_port) + "'");
  }
  std::string_view host = host_port.substr(0, colon);
  std::string_view port_text = host_port.substr(colon + 1);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::uint16_t port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (host.empty() || port_text.empty() || ec != std::errc() ||
      ptr != port_text.data() + port_text.size()) {
    return Status::InvalidArgument("expected HOST:PORT, got '" + std::string(host_port) + "'");
  }
  return std::pair<std::string, std::uint16_t>(std::string(host), port);
}

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router, MetricsRegistry* metrics)
      : io_(static_cast<int>(std::max<std::size_t>(options.io_threads, 1))),
        shared_(std::make_shared<ServerShared>(std::move(options), router)),
        acceptor_(asio::make_strand(io_)) {
    if (metrics != nullptr) {
      std::weak_ptr<ServerShared> weak = shared_;
      shared_->metrics = std::make_unique<HttpMetrics>(*metrics, router, [weak] {
        auto shared = weak.lock();
        return shared ? static_cast<double>(shared->Count()) : 0.0;
      });
    }
  }

  ~Impl() { Stop(); }

  Status Start() {
    if (started_) return Status::FailedPrecondition("the server is already started");
    const ServerOptions& options = shared_->options;
    boost::system::error_code ec;
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || endpoints.empty()) {
      return Status::InvalidArgument("cannot resolve " + options.host + ": " + ec.message());
    }
    const tcp::endpoint endpoint = *endpoints.begin();
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::Unavailable("cannot listen on " + options.host + ":" +
                                 std::to_string(options.port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    work_.emplace(io_.get_executor());
    asio::co_spawn(acceptor_.get_executor(), AcceptLoop(), LogEscaped);
    for (std::size_t i = 0; i < std::max<std::size_t>(options.io_threads, 1); ++i) {
      threads_.emplace_back([this] { RunThread(); });
    }
    started_ = true;
    Log()->info("HTTP server listening on {}:{} with {} I/O threads", options.host, port_.load(),
                threads_.size());
    return Status::Ok();
  }

  void Stop() {
    if (!started_ || stop_called_.exchange(true)) return;
    if (io_.get_executor().running_in_this_thread()) {
      Log()->error("Server::Stop called from an I/O thread; stop it from another thread");
      stop_called_ = false;
      return;
    }
    const ServerOptions& options = shared_->options;
    shared_->stopping = true;
    asio::post(acceptor_.get_executor(), [this] {
      boost::system::error_code ec;
      acceptor_.close(ec);
    });
    for (auto& connection : shared_->Connections()) {
      asio::post(connection->executor(), [connection] { connection->CloseIfIdle(); });
    }
    bool drained = shared_->WaitDrained(options.drain_timeout);
    if (!drained) {
      Log()->warn("{} HTTP connections still busy after {} ms; closing them", shared_->Count(),
                  options.drain_timeout.count());
      for (auto& connection : shared_->Connections()) {
        asio::post(connection->executor(), [connection] { connection->ForceClose(); });
      }
      drained = shared_->WaitDrained(options.linger_timeout + std::chrono::seconds(1));
    }
    // Every connection is gone (or abandoned: its handler still awaits work elsewhere), so
    // nothing left on the io_context can still deliver a reply.
    work_.reset();
    io_.stop();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
    Log()->info("HTTP server stopped");
  }

  std::uint16_t port() const { return port_; }
  bool stopping() const { return shared_->stopping; }
  std::size_t active_connections() const { return shared_->Count(); }

 private:
  void RunThread() {
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        Log()->error("exception escaped an HTTP I/O handler: {}", e.what());
      }
    }
  }

  asio::awaitable<void> AcceptLoop() {
    constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), kUseTuple);
      if (shared_->stopping || ec == asio::error::operation_aborted) co_return;
      if (ec) {
        // Out of descriptors and the like: back off instead of spinning.
        Log()->warn("accept failed: {}", ec.message());
        asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
        co_await pause.async_wait(kUseTuple);
        continue;
      }
      const auto [admission, evicted] = shared_->Admit();
      if (admission != ServerShared::Admission::kServe && shared_->metrics) {
        shared_->metrics->RecordRejectedConnection();
      }
      if (evicted) {
        if (shared_->metrics) shared_->metrics->RecordEvictedConnection();
        asio::post(evicted->executor(), [evicted] { evicted->CloseIfIdle(); });
      }
      if (admission == ServerShared::Admission::kDrop) {
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      auto connection = Connection::Create(std::move(socket), shared_,
                                           admission == ServerShared::Admission::kRefuse);
      asio::co_spawn(
          connection->executor(), [connection] { return connection->Run(); }, LogEscaped);
    }
  }

  asio::io_context io_;
  std::shared_ptr<ServerShared> shared_;
  tcp::acceptor acceptor_;  // on its own strand
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::atomic<std::uint16_t> port_{0};
  std::atomic<bool> started_{false};
  std::atomic<bool> stop_called_{false};
};

Server::Server(ServerOptions options, const Router& router, MetricsRegistry* metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {}
Server::~Server() = default;
Status Server::Start() { return impl_->Start(); }
std::uint16_t Server::port() const { return impl_->port(); }
void Server::Stop() { impl_->Stop(); }
bool Server::stopping() const { return impl_->stopping(); }
std::size_t Server::active_connections() const { return impl_->active_connections(); }

}  // namespace portico::gateway
