// The staff routes for portal sessions: list and end them (API.md, "Sessions").
#include <boost/json.hpp>

#include "gateway/app/staff_route_helpers.h"

namespace portico::gateway {

using boost::asio::awaitable;

void AddStaffSessionRoutes(Router& router, const AppRouteDeps& deps) {
  const auto* d = &deps;

  // -- Sessions ----------------------------------------------------------------------------
  router.Add(Verb::get, "/v1/users/{user_id}/sessions",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->pool, "access")) {
                 co_return ProblemResponse(*problem);
               }
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               const domain::UserId user(std::string(context.Param("user_id")));
               boost::json::array sessions;
               for (const auto& s : d->sessions->UserSessions(user)) {
                 sessions.push_back({{"session_id", s.session_id},
                                     {"started_at", s.started_at_us},
                                     {"last_seen_at", s.last_seen_us},
                                     {"expires_at", s.absolute_expires_at_us},
                                     {"impersonated_by", s.impersonated_by}});
               }
               co_return JsonResponse(HttpStatus::ok, {{"sessions", std::move(sessions)}});
             }));

  router.Add(Verb::delete_, "/v1/sessions/{session_id}",
             StaffHandler(deps, SubmitFromPath(d, [](const RouteContext& context) -> domain::Command {
               return domain::EndSession{domain::SessionId(std::string(context.Param("session_id"))),
                                         schema::SessionEndReason::EndedByStaff};
             })));

  router.Add(Verb::delete_, "/v1/users/{user_id}/sessions",
             StaffHandler(deps, SubmitFromPath(d, [](const RouteContext& context) -> domain::Command {
               return domain::EndUserSessions{domain::UserId(std::string(context.Param("user_id"))),
                                              schema::SessionEndReason::EndedByStaff};
             })));
}

}  // namespace portico::gateway
