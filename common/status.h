// Status and Result<T>: the error handling every portico module uses.
//
// A Status is cheap to copy when OK (no allocation). Build failures with the named
// constructors (Status::NotFound("user u1")). Codes map one to one onto the HTTP statuses of
// API.md, so a failure deep in the store or the domain reaches the caller as something it
// can act on. Aborted (a version conflict) may carry the stream's current version.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace portico {

enum class StatusCode : std::uint8_t {
  kOk = 0,
  kInvalidArgument,     // malformed input (HTTP 400)
  kUnauthenticated,     // no or bad credentials (401)
  kPermissionDenied,    // staff-only route without staff rights (403)
  kNotFound,            // unknown, or not visible to the caller (404)
  kAlreadyExists,       // duplicate id (409)
  kAborted,             // version conflict (409)
  kFailedPrecondition,  // a domain rule (422)
  kResourceExhausted,   // too large, rate limited (413/429)
  kUnavailable,         // not ready or not fresh enough (503)
  kCorruption,          // bytes that failed verification
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status Unauthenticated(std::string msg) { return {StatusCode::kUnauthenticated, std::move(msg)}; }
  static Status PermissionDenied(std::string msg) { return {StatusCode::kPermissionDenied, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {StatusCode::kAlreadyExists, std::move(msg)}; }
  static Status Aborted(std::string msg, std::optional<std::uint64_t> current_version = std::nullopt) {
    Status s{StatusCode::kAborted, std::move(msg)};
    s.current_version_ = current_version;
    return s;
  }
  static Status FailedPrecondition(std::string msg) { return {StatusCode::kFailedPrecondition, std::move(msg)}; }
  static Status ResourceExhausted(std::string msg) { return {StatusCode::kResourceExhausted, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // For Aborted: the stream's version at the time of the conflict, when known.
  std::optional<std::uint64_t> current_version() const { return current_version_; }

  // "NotFound: user u1"
  std::string ToString() const;

  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsAborted() const { return code_ == StatusCode::kAborted; }
  bool IsCorruption() const { return code_ == StatusCode::kCorruption; }

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::optional<std::uint64_t> current_version_;
};

// A value or the Status saying why there is none. Constructing from an OK Status is a bug.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}     // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace portico

#define PORTICO_CONCAT_INNER(a, b) a##b
#define PORTICO_CONCAT(a, b) PORTICO_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not OK.
#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    ::portico::Status _st = (expr);                \
    if (!_st.ok()) return _st;                     \
  } while (0)

// ASSIGN_OR_RETURN(auto x, ComputeX()); declares x or returns the failure.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(PORTICO_CONCAT(_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
