#include "app/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

namespace portico::app_testing {

boost::json::value HttpReply::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  return ec ? boost::json::value() : v;
}

HttpClient::HttpClient(const std::string& url) {
  const auto hostport = url.substr(url.find("//") + 2);
  host_ = hostport.substr(0, hostport.rfind(':'));
  port_ = hostport.substr(hostport.rfind(':') + 1);
}

HttpReply HttpClient::Send(boost::beast::http::verb method, const std::string& target, const std::string& bearer,
                           const std::string& body, const std::string& content_type,
                           const std::vector<std::pair<std::string, std::string>>& headers) const {
  namespace http = boost::beast::http;
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  boost::asio::ip::tcp::socket socket(io);
  boost::asio::connect(socket, resolver.resolve(host_, port_));
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, host_);
  request.set(http::field::connection, "close");
  if (!bearer.empty()) request.set(http::field::authorization, "Bearer " + bearer);
  if (!body.empty()) request.set(http::field::content_type, content_type);
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  http::write(socket, request);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  http::read(socket, buffer, parser);
  const auto& response = parser.get();
  HttpReply reply;
  reply.status = response.result_int();
  reply.content_type = std::string(response[http::field::content_type]);
  reply.retry_after = std::string(response[http::field::retry_after]);
  reply.body = response.body();
  boost::system::error_code ignored;
  socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  return reply;
}

HttpReply HttpClient::Get(const std::string& target, const std::string& bearer) const {
  return Send(boost::beast::http::verb::get, target, bearer);
}

HttpReply HttpClient::Post(const std::string& target, const std::string& bearer,
                           const boost::json::value& body) const {
  return Send(boost::beast::http::verb::post, target, bearer, boost::json::serialize(body));
}

HttpReply HttpClient::Put(const std::string& target, const std::string& bearer,
                          const boost::json::value& body) const {
  return Send(boost::beast::http::verb::put, target, bearer, boost::json::serialize(body));
}

HttpReply HttpClient::Delete(const std::string& target, const std::string& bearer) const {
  return Send(boost::beast::http::verb::delete_, target, bearer);
}

}  // namespace portico::app_testing
