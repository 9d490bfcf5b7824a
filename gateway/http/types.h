// The request and response types every gateway handler sees.
//
// Bodies are held in std::string (Beast's string_body): the server reads a whole request
// (within its route's body limit) before a handler runs, and a handler returns a whole
// response. The server sets the HTTP version, keep-alive and Content-Length of a response;
// handlers set only status, headers and body.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

namespace portico::gateway {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Verb = boost::beast::http::verb;
using HttpStatus = boost::beast::http::status;

}  // namespace portico::gateway
