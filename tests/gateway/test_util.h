// Helpers for the gateway tests: running a coroutine to completion, and a blocking HTTP client
// on a real loopback socket.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <future>
#include <sstream>
#include <string>
#include <utility>

#include "gateway/http/types.h"

namespace portico::gateway::testing {

// Runs `awaitable` on a private io_context until it completes; rethrows its exception.
template <typename T>
T RunSync(boost::asio::awaitable<T> awaitable) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, std::move(awaitable), boost::asio::use_future);
  io.run();
  return future.get();
}

inline Request MakeRequest(Verb method, std::string target, std::string body = {},
                           std::string content_type = "application/json") {
  Request request{method, target, 11};
  request.set(boost::beast::http::field::host, "127.0.0.1");
  if (!body.empty() || method == Verb::post || method == Verb::put) {
    request.set(boost::beast::http::field::content_type, content_type);
  }
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

inline boost::json::value BodyJson(const Response& response) {
  return boost::json::parse(response.body());
}

// One client connection. Every read gives up after 20 s (a safety net against a hung test,
// not an assertion about time).
class TestClient {
 public:
  explicit TestClient(std::uint16_t port) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    timeval tv{20, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  void SendRaw(const std::string& bytes) {
    boost::asio::write(socket_, boost::asio::buffer(bytes));
  }

  void Send(const Request& request) {
    std::ostringstream out;
    out << request;
    SendRaw(out.str());
  }

  // The next response; throws on a read error (such as the server closing the connection).
  Response Read() {
    boost::beast::http::response_parser<boost::beast::http::string_body> parser;
    parser.body_limit(64 << 20);
    boost::beast::http::read(socket_, buffer_, parser);
    return parser.release();
  }

  // True when a reply (or the end of the stream) has arrived and waits to be read.
  bool HasInput() { return socket_.available() > 0; }

  void Close() {
    boost::system::error_code ec;
    socket_.close(ec);
  }

  Response RoundTrip(const Request& request) {
    Send(request);
    return Read();
  }

  // True when the server closed the connection: the next read ends the stream with nothing
  // (or only a partial message) in it.
  bool ReadsClosed() {
    boost::beast::http::response_parser<boost::beast::http::string_body> parser;
    boost::beast::error_code ec;
    boost::beast::http::read(socket_, buffer_, parser, ec);
    return ec == boost::beast::http::error::end_of_stream || ec == boost::asio::error::eof ||
           ec == boost::asio::error::connection_reset;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace portico::gateway::testing
