// Problem details (RFC 9457): every error reply of the gateway is a Problem, sent as
// application/problem+json by ProblemResponse (response.h).
//
// A Problem has an HTTP status, a `type` URI naming the kind of problem
// ("urn:portico:problem:invalid-argument"), a fixed short `title` per type, a `detail` for
// the caller and, where it helps, the offending `field` and, for version conflicts, the
// stream's `current_version`. `retry_after` becomes a Retry-After header (whole seconds);
// `headers` carries others (Allow on 405, WWW-Authenticate on 401).
//
// FromStatus maps portico::Status codes per API.md: InvalidArgument 400, Unauthenticated 401,
// PermissionDenied 403, NotFound 404, AlreadyExists and Aborted 409 (Aborted carries
// current_version when known), FailedPrecondition 422, ResourceExhausted 413 (rate limiting
// is TooManyRequests instead: 429 needs a Retry-After), Unavailable 503 with Retry-After: 1,
// Corruption and Internal 500 with a fixed detail: their message is logged (logger "gateway"),
// never sent, so internals do not leak.
//
// ProblemOr<T> is a value or the Problem saying why there is none; the request-parsing
// helpers (json_body.h, query.h, auth.h) return it so a handler can `co_return` the problem.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.h"

namespace portico::gateway {

struct Problem {
  unsigned status = 500;
  std::string type;
  std::string title;
  std::string detail;
  std::optional<std::string> field;
  std::optional<std::uint64_t> current_version;
  std::optional<std::chrono::seconds> retry_after;
  std::vector<std::pair<std::string, std::string>> headers;

  static Problem FromStatus(const Status& status);

  static Problem BadRequest(std::string detail);              // 400 invalid-argument
  static Problem Unauthenticated(std::string detail);         // 401, WWW-Authenticate
  static Problem NotFound(std::string detail);                // 404
  static Problem MethodNotAllowed(const std::string& allow);  // 405, Allow: `allow`
  static Problem RequestTimeout(std::string detail);          // 408
  static Problem Conflict(std::string detail);                // 409, Retry-After: 1
  static Problem PayloadTooLarge(std::string detail);         // 413
  static Problem UnsupportedMediaType(std::string detail);    // 415
  static Problem FailedPrecondition(std::string detail);      // 422
  static Problem HeadersTooLarge(std::string detail);         // 431
  static Problem TooManyRequests(std::string detail, std::chrono::seconds retry_after);  // 429
  static Problem Unavailable(std::string detail,
                             std::chrono::seconds retry_after = std::chrono::seconds(1));  // 503
  static Problem Internal();  // 500, fixed detail

  // Fluent setter: Problem::BadRequest("too long").WithField("name").
  Problem&& WithField(std::string name) && {
    field = std::move(name);
    return std::move(*this);
  }
};

template <typename T>
class [[nodiscard]] ProblemOr {
 public:
  ProblemOr(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
  ProblemOr(Problem problem) : v_(std::move(problem)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Problem& problem() const& { return std::get<1>(v_); }
  Problem&& problem() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Problem> v_;
};

}  // namespace portico::gateway
