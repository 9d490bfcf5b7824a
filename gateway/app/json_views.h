// Domain objects as the JSON of API.md, plus the small helpers every app route shares:
// enum names, the reply of a command, freshness waits.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>
#include <optional>
#include <string>

#include "domain/state.h"
#include "gateway/app/command_processor.h"
#include "gateway/http/freshness.h"
#include "gateway/http/problem.h"
#include "gateway/http/query.h"
#include "gateway/http/types.h"
#include "projections/runner.h"
#include "projections/sessions_model.h"

namespace portico::gateway {

// Enum values by their snake_case names (schemas::SnakeCaseName): "client", "enabled"...
std::string OrgKindName(schema::OrgKind kind);
std::string AccessModeName(schema::AccessMode mode);
std::string UserTypeName(schema::UserType type);
std::string VisibilityName(schema::NoteVisibility visibility);

boost::json::object OrgJson(const domain::AccessState& state, const domain::Org& org);
boost::json::object UserJson(const domain::AccessState& state, const domain::User& user,
                             std::int64_t now_us);
boost::json::object ResourceJson(const domain::Resource& resource);
boost::json::object NoteJson(const domain::Note& note);
// An active session as the session lists show it (staff and portal):
// {session_id, started_at, last_seen_at, expires_at, impersonated_by}.
boost::json::object SessionJson(const projections::ActiveSession& session);

// {"position": N, ...extra} for a command, or its problem.
Response CommandReply(const Result<CommandOutcome>& outcome, boost::json::object extra = {});

// Whether the runner (`projection`, or all) has applied a position, asked without waiting:
// what PollUntilReached and AwaitMinPosition poll. `runner` must outlive it.
PositionReached AppliedBy(const projections::ProjectionRunner& runner, std::string projection = {});

// min_position on a GET: waits until the runner (`projection`, or all) has applied it,
// pausing on timers in between (AwaitMinPosition), so the wait holds no thread; a position
// beyond the store's head is a 400 at once.
boost::asio::awaitable<std::optional<Problem>> AwaitFresh(QueryReader& query,
                                                          const projections::ProjectionRunner& runner,
                                                          const eventstore::EventStore& store,
                                                          std::string projection = {});

}  // namespace portico::gateway
