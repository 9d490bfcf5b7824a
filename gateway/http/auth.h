// Authentication plumbing for handlers.
//
// BearerToken reads `Authorization: Bearer <token>`: the scheme is case-insensitive, the
// token must be a non-empty RFC 6750 b64token (A-Z a-z 0-9 - . _ ~ + / and trailing '=').
// nullopt when the header is missing, has another scheme, or the token is malformed.
//
// RequireStaff wraps a handler: it authenticates the bearer token as a staff key, sets
// context.actor to the key's name and runs the inner handler; otherwise it answers 401
// problem with WWW-Authenticate: Bearer. `keys` must outlive the router holding the wrapper.
#pragma once

#include <optional>
#include <string_view>

#include "gateway/http/router.h"
#include "gateway/http/staff_keys.h"
#include "gateway/http/types.h"

namespace portico::gateway {

std::optional<std::string_view> BearerToken(const Request& request);

Handler RequireStaff(const StaffKeys& keys, Handler inner);

}  // namespace portico::gateway
