// The staff routes for portal sessions: list and end them (API.md, "Sessions"), and "log in
// as client": POST /v1/users/{user_id}/impersonate opens a portal session as the user without
// its password (domain::LoginAsUser). The session records the staff key's name
// (impersonated_by), and every command of that session records it as on_behalf_of
// (PortalActor). An archived user, or one who may not use the portal now (organisation
// disabled, login disabled, passive...), is a 422; an unknown user a 404.
#include <boost/json.hpp>

#include "gateway/app/portal_auth.h"
#include "gateway/app/staff_route_helpers.h"

namespace portico::gateway {

using boost::asio::awaitable;

void AddStaffSessionRoutes(Router& router, const AppRouteDeps& deps) {
  const auto* d = &deps;

  // -- Sessions ----------------------------------------------------------------------------
  router.Add(Verb::get, "/v1/users/{user_id}/sessions",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store, "access")) {
                 co_return ProblemResponse(*problem);
               }
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               const domain::UserId user(std::string(context.Param("user_id")));
               // An unknown user is a 404, as on every /v1/users/{user_id} route; a user with no
               // session is an empty list.
               const bool known = d->access->Read([&](const projections::AccessIndex& index) {
                 return index.state().FindUser(user.value()) != nullptr;
               });
               if (!known) co_return ProblemResponse(Problem::NotFound("no user '" + user.value() + "'"));
               boost::json::array sessions;
               for (const auto& s : d->sessions->UserSessions(user, NowMicros())) {
                 sessions.push_back(SessionJson(s));
               }
               co_return JsonResponse(HttpStatus::ok, {{"sessions", std::move(sessions)}});
             }));

  // Not Idempotent: its reply holds a session token, and tokens are never stored (only their
  // hash, in the log); a retry simply opens another session.
  router.Add(Verb::post, "/v1/users/{user_id}/impersonate",
             RequireStaff(*deps.keys, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               if (request.find("Idempotency-Key") != request.end()) {
                 co_return ProblemResponse(
                     Problem::BadRequest("Idempotency-Key is not accepted here: the reply holds a "
                                         "session token, which is never stored")
                         .WithField("Idempotency-Key"));
               }
               auto credentials = MakeSessionCredentials();
               domain::LoginAsUser cmd;
               cmd.user_id = domain::UserId(std::string(context.Param("user_id")));
               cmd.staff = context.actor;
               cmd.session_id = credentials.session_id;
               cmd.token_hash = credentials.token_hash;
               auto out = co_await d->processor->SubmitAsync(std::move(cmd), StaffActor(context));
               if (!out.ok()) co_return CommandReply(out);
               const schema::SessionStartedT* started = FindSessionStarted(*out);
               if (started == nullptr) co_return ProblemResponse(Problem::Internal());
               if (auto problem = co_await AwaitSessionVisible(*d, out->position)) {
                 co_return ProblemResponse(*problem);
               }
               co_return JsonResponse(HttpStatus::ok,
                                      {{"token", credentials.token},
                                       {"session_id", started->session_id},
                                       {"user_id", started->user_id},
                                       {"impersonated_by", started->impersonated_by},
                                       {"expires_at", started->absolute_expires_at_us},
                                       {"position", out->position.value()}});
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
