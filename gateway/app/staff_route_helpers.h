// What the staff route files (staff_*_routes.cc) share: the wrapper every staff route gets
// (staff key, then Idempotency-Key), the actor of a staff command, the parsers of the enums
// API.md spells in lower case, and the JSON of log entries and levels.
//
// A new area of staff routes is a new staff_<area>_routes.cc with one AddStaff<Area>Routes,
// declared here and called from AddStaffRoutes (staff_routes.cc).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "domain/commands.h"
#include "domain/level.h"
#include "eventstore/event_store.h"
#include "gateway/app/json_views.h"
#include "gateway/app/staff_routes.h"
#include "gateway/http/async.h"
#include "gateway/http/auth.h"
#include "gateway/http/idempotency.h"
#include "gateway/http/json_body.h"
#include "gateway/http/query.h"
#include "gateway/http/response.h"
#include "gateway/http/router.h"
#include "schemas/envelope.h"

namespace portico::gateway {

// Ids in paths, bodies and queries: 1 to 128 characters.
inline constexpr StringRule kId{.min_length = 1, .max_length = 128};

// RequireStaff(keys, Idempotent(store, inner, retention, secret_detail)) (Idempotent only when
// the deps have a store). ReplyRetention::kSecret for a route whose reply shows a secret once
// (a retry with the same Idempotency-Key gets a 409 with `secret_detail`), kRunAgain for one
// whose reply is too large to keep (a retry runs `inner` again, which answers from the work
// already done).
Handler StaffHandler(const AppRouteDeps& deps, Handler inner,
                     ReplyRetention retention = ReplyRetention::kStore, std::string secret_detail = {});

CommandActor StaffActor(const RouteContext& context);
// The request's Idempotency-Key header, or "".
std::string IdempotencyKey(const Request& request);

// The value of a lower-case enum name ("user_ended"), or nothing.
template <typename E>
std::optional<E> ParseEnum(std::string_view name, const E* values, std::size_t count,
                           const char* (*enum_name)(E)) {
  for (std::size_t i = 0; i < count; ++i) {
    if (schemas::SnakeCaseName(enum_name(values[i])) == name) return values[i];
  }
  return std::nullopt;
}

// The names RequiredEnum already checked.
schema::AccessMode ParseMode(std::string_view s);
schema::OrgKind ParseKind(std::string_view s);
schema::UserType ParseUserType(std::string_view s);
schema::NoteVisibility ParseVisibility(std::string_view s);

// One log entry as GET /v1/audit and /v1/events show it.
boost::json::object EventJson(const eventstore::StoredEvent& stored);
// A level as GET /v1/levels shows it.
boost::json::object LevelJson(const domain::Level& level);

// A new password: policy, then argon2id on the pool. A problem, or the hashed password.
boost::asio::awaitable<ProblemOr<domain::NewPassword>> PreparePassword(const AppRouteDeps& deps,
                                                                       std::string plaintext,
                                                                       std::string field);

// Submits `command` as the staff caller and replies with its position and how many sessions
// it ended ({"position": N, "ended_sessions": K}).
boost::asio::awaitable<Response> SubmitReportingEnded(const AppRouteDeps& deps,
                                                      domain::Command command,
                                                      const Request& request,
                                                      const RouteContext& context);

// A staff command built from the path alone (revoke, force-reset, archive, end sessions):
// `make` turns the route's parameters into the command; the reply is SubmitReportingEnded's.
using PathCommand = std::function<domain::Command(const RouteContext& context)>;
Handler SubmitFromPath(const AppRouteDeps* deps, PathCommand make);

// The areas (one file each); AddStaffRoutes calls them all.
void AddStaffSettingsRoutes(Router& router, const AppRouteDeps& deps);
void AddStaffOrgRoutes(Router& router, const AppRouteDeps& deps);
void AddStaffUserRoutes(Router& router, const AppRouteDeps& deps);
void AddStaffSessionRoutes(Router& router, const AppRouteDeps& deps);
void AddStaffResourceRoutes(Router& router, const AppRouteDeps& deps);
void AddStaffQueryRoutes(Router& router, const AppRouteDeps& deps);

}  // namespace portico::gateway
