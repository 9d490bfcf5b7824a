// The staff routes for users: creation, level, grants, passwords, archive (API.md, "Users").
#include <boost/json.hpp>

#include "domain/decide.h"
#include "gateway/app/staff_route_helpers.h"

namespace portico::gateway {

using boost::asio::awaitable;

void AddStaffUserRoutes(Router& router, const AppRouteDeps& deps) {
  const auto* d = &deps;

  // -- Users -------------------------------------------------------------------------------
  router.Add(Verb::post, "/v1/orgs/{org_id}/users",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               domain::CreateUser cmd;
               cmd.org_id = domain::OrgId(std::string(context.Param("org_id")));
               cmd.user_id = domain::UserId(r.RequiredString("user_id", kId));
               cmd.username = r.RequiredString("username", {.min_length = 1, .max_length = 128});
               cmd.display_name = r.RequiredString("display_name", {.min_length = 1, .max_length = 200});
               cmd.email = r.RequiredString("email", {.min_length = 1, .max_length = 254});
               cmd.user_type = ParseUserType(
                   r.RequiredEnum("user_type", {"active", "passive", "contractor"}));
               cmd.level = domain::LevelId(r.RequiredString("level", kId));
               auto password = r.OptionalString("password", {.min_length = 1, .max_length = 128});
               cmd.must_reset_password = r.OptionalBool("must_reset_password").value_or(false);
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               if (password) {
                 auto prepared = co_await PreparePassword(*d, std::move(*password), "password");
                 if (!prepared.ok()) co_return ProblemResponse(prepared.problem());
                 cmd.password = std::move(prepared).value();
               }
               const std::string id = cmd.user_id.value();
               auto out = co_await d->processor->SubmitAsync(std::move(cmd), StaffActor(context),
                                                            IdempotencyKey(request));
               co_return CommandReply(out, {{"user_id", id}});
             }));

  router.Add(Verb::get, "/v1/users/{user_id}",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store, "access")) {
                 co_return ProblemResponse(*problem);
               }
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               const std::string id(context.Param("user_id"));
               const auto now = NowMicros();
               auto user = d->access->Read([&](const projections::AccessIndex& index)
                                               -> std::optional<boost::json::object> {
                 const auto* u = index.state().FindUser(id);
                 if (u == nullptr) return std::nullopt;
                 auto json = UserJson(index.state(), *u, now);
                 json["phone"] = u->phone;  // the user's own, from PUT /v1/portal/me
                 return json;
               });
               if (!user) co_return ProblemResponse(Problem::NotFound("no user '" + id + "'"));
               co_return JsonResponse(HttpStatus::ok, *user);
             }));

  router.Add(Verb::get, "/v1/usernames/{username}",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               QueryReader q(request.target());
               // The write model is never behind the log, so waiting for the access projection
               // is more than enough; it validates min_position as every other GET does.
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store, "access")) {
                 co_return ProblemResponse(*problem);
               }
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               const std::string name(context.Param("username"));
               auto available = d->processor->Read([&](const domain::AccessState& state) {
                 return domain::IsUsernameAvailable(state, name);
               });
               if (!available.ok()) co_return ProblemResponse(Problem::FromStatus(available.status()));
               co_return JsonResponse(HttpStatus::ok, {{"available", *available}});
             }));

  router.Add(Verb::put, "/v1/users/{user_id}/level",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               domain::ChangeUserLevel cmd;
               cmd.user_id = domain::UserId(std::string(context.Param("user_id")));
               cmd.level = domain::LevelId(r.RequiredString("level", kId));
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               auto out = co_await d->processor->SubmitAsync(cmd, StaffActor(context),
                                                            IdempotencyKey(request));
               co_return CommandReply(out);
             }));

  router.Add(Verb::post, "/v1/users/{user_id}/grants",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               domain::GrantPermission cmd;
               cmd.user_id = domain::UserId(std::string(context.Param("user_id")));
               cmd.capability = r.RequiredString("capability", kId);
               cmd.scope = r.OptionalString("scope", {.max_length = 64}).value_or("");
               cmd.expires_at_us = r.OptionalInt("expires_at", {.min = 0}).value_or(0);
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               auto out = co_await d->processor->SubmitAsync(cmd, StaffActor(context),
                                                            IdempotencyKey(request));
               co_return CommandReply(out);
             }));

  router.Add(Verb::delete_, "/v1/users/{user_id}/grants/{capability}",
             StaffHandler(deps, SubmitFromPath(d, [](const RouteContext& context) -> domain::Command {
               return domain::RevokePermission{domain::UserId(std::string(context.Param("user_id"))),
                                               std::string(context.Param("capability"))};
             })));

  router.Add(Verb::post, "/v1/users/{user_id}/password",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               auto password = r.RequiredString("password", {.min_length = 1, .max_length = 128});
               auto must_reset = r.OptionalBool("must_reset_password").value_or(false);
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               auto prepared = co_await PreparePassword(*d, std::move(password), "password");
               if (!prepared.ok()) co_return ProblemResponse(prepared.problem());
               domain::SetPassword cmd;
               cmd.user_id = domain::UserId(std::string(context.Param("user_id")));
               cmd.password = std::move(prepared).value();
               cmd.must_reset_password = must_reset;
               auto out = co_await d->processor->SubmitAsync(std::move(cmd), StaffActor(context),
                                                            IdempotencyKey(request));
               co_return CommandReply(out);
             }));

  router.Add(Verb::post, "/v1/users/{user_id}/force-reset",
             StaffHandler(deps, SubmitFromPath(d, [](const RouteContext& context) -> domain::Command {
               return domain::ForcePasswordReset{domain::UserId(std::string(context.Param("user_id")))};
             })));

  router.Add(Verb::post, "/v1/users/{user_id}/archive",
             StaffHandler(deps, SubmitFromPath(d, [](const RouteContext& context) -> domain::Command {
               return domain::ArchiveUser{domain::UserId(std::string(context.Param("user_id")))};
             })));
}

}  // namespace portico::gateway
