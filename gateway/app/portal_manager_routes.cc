#include "gateway/app/portal_manager_routes.h"

#include <algorithm>
#include <boost/json.hpp>
#include <memory>

#include "domain/check.h"
#include "domain/decide.h"
#include "gateway/app/attempt_limiter.h"
#include "gateway/app/json_views.h"
#include "gateway/app/staff_route_helpers.h"
#include "gateway/app/workflow_route_helpers.h"
#include "gateway/http/async.h"
#include "gateway/http/json_body.h"
#include "gateway/http/query.h"
#include "gateway/http/rate_limiter.h"
#include "gateway/http/response.h"

namespace portico::gateway {
namespace {

using boost::asio::awaitable;
using projections::ActiveSession;

domain::UserId Target(const RouteContext& context) { return domain::UserId(std::string(context.Param("user_id"))); }

awaitable<Response> Submit(const AppRouteDeps* d, const Request& request, const ActiveSession& session,
                           domain::ManagedUserAction action, boost::json::object extra = {}) {
  domain::PortalManagerAction cmd{domain::UserId(session.user_id), std::move(action)};
  auto out = co_await d->processor->SubmitAsync(std::move(cmd), PortalActor(session), IdempotencyKey(request));
  if (out.ok()) extra["ended_sessions"] = out->ended_sessions.size();
  co_return CommandReply(out, std::move(extra));
}

// An action built from the path alone.
using PathAction = std::function<domain::ManagedUserAction(const RouteContext&)>;
PortalHandler FromPath(const AppRouteDeps* d, PathAction make) {
  return [d, make = std::move(make)](Request& request, RouteContext& context,
                                     const ActiveSession& session) -> awaitable<Response> {
    co_return co_await Submit(d, request, session, make(context));
  };
}

// New passwords set by portal managers: per manager a burst of 20 then one every 5 s, per
// client address a burst of 60 then two a second. Each costs an argon2id hash on the shared
// pool, which logins wait for.
std::shared_ptr<AttemptLimiter> MakeManagerPasswordLimiter() {
  return std::make_shared<AttemptLimiter>(RateLimiter::Options{.rate_per_second = 0.2, .burst = 20.0},
                                          RateLimiter::Options{.rate_per_second = 2.0, .burst = 60.0},
                                          "too many new passwords; try again later");
}

// The new password of `action`, hashed only once the caller may take the action (it holds
// users.manage, the target is one it may manage) against the write model, and within its
// budget: argon2id costs 64 MiB and about 0.1 s of a shared pool thread, so a caller who will
// be refused must not make us pay for it first. Decide judges the action again on submit.
awaitable<ProblemOr<domain::NewPassword>> PrepareManagedPassword(const AppRouteDeps& d, AttemptLimiter& limits,
                                                                 const RouteContext& context,
                                                                 const ActiveSession& session,
                                                                 const domain::ManagedUserAction& action,
                                                                 std::string plaintext) {
  const domain::PortalManagerAction cmd{domain::UserId(session.user_id), action};
  const Status may = d.processor->Read([&](const domain::AccessState& state) {
    return domain::CheckPortalManagerAction(state, cmd, NowMicros());
  });
  if (!may.ok()) co_return Problem::FromStatus(may);
  if (auto problem = limits.Admit(context.remote_address, session.user_id)) co_return std::move(*problem);
  co_return co_await PreparePassword(d, std::move(plaintext), "password");
}

}  // namespace

void AddPortalManagerRoutes(Router& router, const AppRouteDeps& deps) {
  const auto* d = &deps;
  auto limits = MakeManagerPasswordLimiter();

  router.Add(Verb::get, "/v1/portal/users",
             PortalRoute(deps, [d](Request& request, RouteContext&, const ActiveSession& session) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store, "access")) {
                 co_return ProblemResponse(*problem);
               }
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               const auto now = NowMicros();
               auto users = d->access->Read([&](const projections::AccessIndex& index) -> ProblemOr<boost::json::array> {
                 const auto& state = index.state();
                 const auto* me = state.FindUser(session.user_id);
                 if (me == nullptr) return BadSession();
                 const auto may = domain::Check(state, *me, domain::Capability::kUsersManage, nullptr, now);
                 if (!may.allowed) {
                   return Problem::FromStatus(Status::PermissionDenied(
                       "not allowed to use users.manage (" + std::string(domain::ReasonName(may.reason)) + "): " + may.detail));
                 }
                 std::vector<const domain::User*> members;
                 if (const auto it = state.users_by_org.find(me->org.value()); it != state.users_by_org.end()) {
                   for (const auto& id : it->second) members.push_back(state.FindUser(id));
                 }
                 std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->id < b->id; });
                 boost::json::array out;
                 for (const auto* u : members) out.push_back(UserJson(state, *u, now));
                 return out;
               });
               if (!users.ok()) co_return ProblemResponse(users.problem());
               co_return JsonResponse(HttpStatus::ok, {{"users", std::move(users).value()}});
             }));

  router.Add(Verb::post, "/v1/portal/users",
             PortalRoute(deps, [d, limits](Request& request, RouteContext& context,
                                           const ActiveSession& session) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               domain::CreateUser cmd;
               cmd.org_id = domain::OrgId(session.org_id);
               cmd.user_id = domain::UserId(r.OptionalString("user_id", kId).value_or("u_" + RandomHex(12)));
               cmd.username = r.RequiredString("username", {.min_length = 1, .max_length = 128});
               cmd.display_name = r.RequiredString("display_name", {.min_length = 1, .max_length = 200});
               cmd.email = r.RequiredString("email", {.min_length = 1, .max_length = 254});
               // The default fits a client organisation; CreateUser refuses a type that does not fit.
               cmd.user_type = ParseUserType(
                   r.OptionalEnum("user_type", {"active", "passive", "contractor"}).value_or("active"));
               cmd.level = domain::LevelId(r.RequiredString("level", kId));
               auto password = r.OptionalString("password", {.min_length = 1, .max_length = 128});
               cmd.must_reset_password = r.OptionalBool("must_reset_password").value_or(!password.has_value());
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               if (password) {
                 auto prepared = co_await PrepareManagedPassword(*d, *limits, context, session, cmd,
                                                                 std::move(*password));
                 if (!prepared.ok()) co_return ProblemResponse(prepared.problem());
                 cmd.password = std::move(prepared).value();
               }
               boost::json::object extra;  // built apart: GCC 12 miscompiles an init-list inside co_await
               extra["user_id"] = cmd.user_id.value();
               domain::ManagedUserAction action = std::move(cmd);
               co_return co_await Submit(d, request, session, std::move(action), std::move(extra));
             }));

  router.Add(Verb::put, "/v1/portal/users/{user_id}/level",
             PortalRoute(deps, [d](Request& request, RouteContext& context,
                                   const ActiveSession& session) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               domain::ChangeUserLevel cmd{Target(context), domain::LevelId(r.RequiredString("level", kId))};
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               co_return co_await Submit(d, request, session, std::move(cmd));
             }));

  router.Add(Verb::post, "/v1/portal/users/{user_id}/password",
             PortalRoute(deps, [d, limits](Request& request, RouteContext& context,
                                           const ActiveSession& session) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               auto password = r.RequiredString("password", {.min_length = 1, .max_length = 128});
               const bool must_reset = r.OptionalBool("must_reset_password").value_or(true);
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               domain::SetPassword cmd;
               cmd.user_id = Target(context);
               cmd.must_reset_password = must_reset;
               auto prepared = co_await PrepareManagedPassword(*d, *limits, context, session, cmd, std::move(password));
               if (!prepared.ok()) co_return ProblemResponse(prepared.problem());
               cmd.password = std::move(prepared).value();
               co_return co_await Submit(d, request, session, std::move(cmd));
             }));

  router.Add(Verb::post, "/v1/portal/users/{user_id}/force-reset",
             PortalRoute(deps, FromPath(d, [](const RouteContext& c) -> domain::ManagedUserAction {
               return domain::ForcePasswordReset{Target(c)};
             })));
  router.Add(Verb::delete_, "/v1/portal/users/{user_id}/sessions",
             PortalRoute(deps, FromPath(d, [](const RouteContext& c) -> domain::ManagedUserAction {
               return domain::EndUserSessions{Target(c), schema::SessionEndReason::EndedByStaff};
             })));
  router.Add(Verb::post, "/v1/portal/users/{user_id}/archive",
             PortalRoute(deps, FromPath(d, [](const RouteContext& c) -> domain::ManagedUserAction {
               return domain::ArchiveUser{Target(c)};
             })));
}

}  // namespace portico::gateway
