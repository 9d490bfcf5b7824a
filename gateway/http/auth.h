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
