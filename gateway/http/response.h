// Building replies.
//
// Handlers build their reply with JsonResponse, TextResponse or ProblemResponse. The server
// then passes every reply (a handler's or its own) through FinalizeResponse, which sets the
// HTTP version, keep-alive and Content-Length and adds the security headers, so a handler
// never has to remember them:
//   X-Content-Type-Options: nosniff, X-Frame-Options: DENY, Referrer-Policy: no-referrer,
//   Content-Security-Policy: default-src 'none'; frame-ancestors 'none', and
//   Cache-Control: no-store unless the handler set a Cache-Control of its own (every reply
//   may carry authenticated data, so nothing is cached by default).
// All functions are pure and thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "gateway/http/problem.h"
#include "gateway/http/types.h"

namespace portico::gateway {

inline constexpr std::string_view kJsonContentType = "application/json";
inline constexpr std::string_view kProblemContentType = "application/problem+json";

// `body` serialised, with Content-Type: application/json.
Response JsonResponse(HttpStatus status, const boost::json::value& body);

// `body` as is, with the given Content-Type.
Response TextResponse(HttpStatus status, std::string_view content_type, std::string body);

// The problem as application/problem+json: type, title, status, detail and, when set, field
// and current_version; plus its Retry-After and other headers.
Response ProblemResponse(const Problem& problem);

// Adds the security headers listed above (idempotent).
void ApplySecurityHeaders(Response& response);

// Version, keep-alive, Content-Length, security headers: the last step before writing.
void FinalizeResponse(Response& response, unsigned http_version, bool keep_alive);

}  // namespace portico::gateway
