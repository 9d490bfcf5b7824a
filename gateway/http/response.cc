#include "gateway/http/response.h"

#include <boost/json/serialize.hpp>

namespace portico::gateway {

using field = boost::beast::http::field;

Response JsonResponse(HttpStatus status, const boost::json::value& body) {
  return TextResponse(status, kJsonContentType, boost::json::serialize(body));
}

Response TextResponse(HttpStatus status, std::string_view content_type, std::string body) {
  Response response{status, 11};
  response.set(field::content_type, content_type);
  response.body() = std::move(body);
  return response;
}

Response ProblemResponse(const Problem& problem) {
  boost::json::object body;
  body["type"] = problem.type;
  body["title"] = problem.title;
  body["status"] = problem.status;
  body["detail"] = problem.detail;
  if (problem.field) body["field"] = *problem.field;
  if (problem.current_version) body["current_version"] = *problem.current_version;

  Response response = TextResponse(static_cast<HttpStatus>(problem.status), kProblemContentType,
                                   boost::json::serialize(body));
  if (problem.retry_after) {
    response.set(field::retry_after, std::to_string(problem.retry_after->count()));
  }
  for (const auto& [name, value] : problem.headers) response.set(name, value);
  return response;
}

void ApplySecurityHeaders(Response& response) {
  response.set("X-Content-Type-Options", "nosniff");
  response.set(field::x_frame_options, "DENY");
  response.set("Referrer-Policy", "no-referrer");
  response.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  if (response.find(field::cache_control) == response.end()) {
    response.set(field::cache_control, "no-store");
  }
}

void FinalizeResponse(Response& response, unsigned http_version, bool keep_alive) {
  response.version(http_version);
  response.keep_alive(keep_alive);
  ApplySecurityHeaders(response);
  response.prepare_payload();
}

}  // namespace portico::gateway
