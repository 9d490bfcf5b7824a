// A tiny blocking HTTP client for the app tests: one loopback connection per request.
// Compiled once (http_client.cc), not in every test file that includes it.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <utility>
#include <vector>

namespace portico::app_testing {

struct HttpReply {
  unsigned status = 0;
  std::string content_type;
  std::string retry_after;  // the Retry-After header, when any
  std::string body;
  // The body as JSON; null when it is not JSON.
  boost::json::value json() const;
};

class HttpClient {
 public:
  // `url` as System::http_url(): "http://127.0.0.1:PORT".
  explicit HttpClient(const std::string& url);

  HttpReply Send(boost::beast::http::verb method, const std::string& target,
                 const std::string& bearer = {}, const std::string& body = {},
                 const std::string& content_type = "application/json",
                 const std::vector<std::pair<std::string, std::string>>& headers = {}) const;

  HttpReply Get(const std::string& target, const std::string& bearer = {}) const;
  HttpReply Post(const std::string& target, const std::string& bearer, const boost::json::value& body) const;
  HttpReply Put(const std::string& target, const std::string& bearer, const boost::json::value& body) const;
  HttpReply Delete(const std::string& target, const std::string& bearer) const;

 private:
  std::string host_;
  std::string port_;
};

}  // namespace portico::app_testing
