#include "gateway/http/problem.h"

#include <algorithm>

#include "common/log.h"

namespace portico::gateway {
namespace {

// One kind of problem: the slug of its type URI, its status and its fixed title.
struct Kind {
  const char* slug;
  unsigned status;
  const char* title;
};

constexpr Kind kInvalidArgument{"invalid-argument", 400, "Invalid request"};
constexpr Kind kUnauthenticated{"unauthenticated", 401, "Authentication required"};
constexpr Kind kPermissionDenied{"permission-denied", 403, "Permission denied"};
constexpr Kind kNotFound{"not-found", 404, "Not found"};
constexpr Kind kMethodNotAllowed{"method-not-allowed", 405, "Method not allowed"};
constexpr Kind kAlreadyExists{"already-exists", 409, "Already exists"};
constexpr Kind kVersionConflict{"version-conflict", 409, "Version conflict"};
constexpr Kind kConflict{"conflict", 409, "Conflict"};
constexpr Kind kRequestTimeout{"request-timeout", 408, "Request timeout"};
constexpr Kind kPayloadTooLarge{"payload-too-large", 413, "Payload too large"};
constexpr Kind kUnsupportedMediaType{"unsupported-media-type", 415, "Unsupported media type"};
constexpr Kind kFailedPrecondition{"failed-precondition", 422, "Rule violated"};
constexpr Kind kTooManyRequests{"rate-limited", 429, "Too many requests"};
constexpr Kind kHeadersTooLarge{"headers-too-large", 431, "Request headers too large"};
constexpr Kind kInternal{"internal", 500, "Internal error"};
constexpr Kind kUnavailable{"unavailable", 503, "Service unavailable"};

Problem Make(const Kind& kind, std::string detail) {
  Problem p;
  p.status = kind.status;
  p.type = std::string("urn:portico:problem:") + kind.slug;
  p.title = kind.title;
  p.detail = std::move(detail);
  return p;
}

}  // namespace

Problem Problem::FromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return Make(kInvalidArgument, status.message());
    case StatusCode::kUnauthenticated:
      return Unauthenticated(status.message());
    case StatusCode::kPermissionDenied:
      return Make(kPermissionDenied, status.message());
    case StatusCode::kNotFound:
      return Make(kNotFound, status.message());
    case StatusCode::kAlreadyExists:
      return Make(kAlreadyExists, status.message());
    case StatusCode::kAborted: {
      Problem p = Make(kVersionConflict, status.message());
      p.current_version = status.current_version();
      return p;
    }
    case StatusCode::kFailedPrecondition:
      return Make(kFailedPrecondition, status.message());
    case StatusCode::kResourceExhausted:
      return Make(kPayloadTooLarge, status.message());
    case StatusCode::kUnavailable:
      return Unavailable(status.message());
    case StatusCode::kOk:
    case StatusCode::kCorruption:
    case StatusCode::kInternal:
      break;
  }
  static const auto log = NamedLogger("gateway");
  log->error("internal error answered as 500: {}", status.ToString());
  return Internal();
}

Problem Problem::BadRequest(std::string detail) {
  return Make(kInvalidArgument, std::move(detail));
}

Problem Problem::Unauthenticated(std::string detail) {
  Problem p = Make(kUnauthenticated, std::move(detail));
  p.headers.emplace_back("WWW-Authenticate", "Bearer");
  return p;
}

Problem Problem::NotFound(std::string detail) { return Make(kNotFound, std::move(detail)); }

Problem Problem::MethodNotAllowed(const std::string& allow) {
  Problem p = Make(kMethodNotAllowed, "this resource allows only " + allow);
  p.headers.emplace_back("Allow", allow);
  return p;
}

Problem Problem::Conflict(std::string detail) {
  Problem p = Make(kConflict, std::move(detail));
  p.retry_after = std::chrono::seconds(1);
  return p;
}

Problem Problem::RequestTimeout(std::string detail) {
  return Make(kRequestTimeout, std::move(detail));
}

Problem Problem::PayloadTooLarge(std::string detail) {
  return Make(kPayloadTooLarge, std::move(detail));
}

Problem Problem::UnsupportedMediaType(std::string detail) {
  return Make(kUnsupportedMediaType, std::move(detail));
}

Problem Problem::FailedPrecondition(std::string detail) {
  return Make(kFailedPrecondition, std::move(detail));
}

Problem Problem::HeadersTooLarge(std::string detail) {
  return Make(kHeadersTooLarge, std::move(detail));
}

Problem Problem::TooManyRequests(std::string detail, std::chrono::seconds retry_after) {
  Problem p = Make(kTooManyRequests, std::move(detail));
  p.retry_after = std::max(retry_after, std::chrono::seconds(1));
  return p;
}

Problem Problem::Unavailable(std::string detail, std::chrono::seconds retry_after) {
  Problem p = Make(kUnavailable, std::move(detail));
  p.retry_after = std::max(retry_after, std::chrono::seconds(1));
  return p;
}

Problem Problem::Internal() { return Make(kInternal, "the server failed to handle the request"); }

}  // namespace portico::gateway
