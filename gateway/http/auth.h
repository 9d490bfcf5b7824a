// Authentication plumbing for handlers.
//
// BearerToken reads `Authorization: Bearer <token>`: the scheme is case-insensitive, the
// token is non-empty visible ASCII (0x21-0x7E, no spaces or control characters): everything a
// staff key may hold (staff_keys.h), so a key accepted at start can authenticate; session
// tokens are a subset. nullopt when the header is missing, has another scheme, or the token
// is malformed.
//
// RequireStaff wraps a handler: it authenticates the bearer token as a staff key, sets
// context.actor to the key's name and runs the inner handler; otherwise it answers 401
// problem with WWW-Authenticate: Bearer. `keys` must outlive the router holding the wrapper.
// The wrapper is a StaffGuard, which the server recognises (RefuseBeforeBody).
//
// RefuseBeforeBody is asked by the server once a request's header is read: for a route whose
// body limit is raised above kDefaultBodyLimit (the CSV import's 64 MiB) and whose handler is
// RequireStaff's, a request without a valid staff key gets the 401 before its body is read,
// so anonymous clients cannot make the server buffer large bodies.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gateway/http/router.h"
#include "gateway/http/staff_keys.h"
#include "gateway/http/types.h"

namespace portico::gateway {

std::optional<std::string_view> BearerToken(const Request& request);

class StaffGuard {
 public:
  StaffGuard(const StaffKeys& keys, Handler inner) : keys_(&keys), inner_(std::move(inner)) {}

  boost::asio::awaitable<Response> operator()(Request& request, RouteContext& context) const;
  // The name of the staff key the request carries; nullopt when it carries none valid.
  std::optional<std::string> Authenticate(const Request& request) const;

 private:
  const StaffKeys* keys_;
  Handler inner_;
};

// 401 with WWW-Authenticate: Bearer.
Problem StaffKeyRequired();

Handler RequireStaff(const StaffKeys& keys, Handler inner);

std::optional<Problem> RefuseBeforeBody(const Route& route, const Request& header);

}  // namespace portico::gateway
