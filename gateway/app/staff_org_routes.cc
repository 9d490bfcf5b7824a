// The staff routes for organisations (API.md, "Organisations").
#include <boost/json.hpp>

#include "gateway/app/staff_route_helpers.h"

namespace portico::gateway {

using boost::asio::awaitable;

void AddStaffOrgRoutes(Router& router, const AppRouteDeps& deps) {
  const auto* d = &deps;

  // -- Organisations -----------------------------------------------------------------------
  router.Add(Verb::post, "/v1/orgs",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               domain::RegisterOrg cmd;
               cmd.org_id = domain::OrgId(r.RequiredString("org_id", kId));
               cmd.name = r.RequiredString("name", {.min_length = 1, .max_length = 200});
               cmd.kind = ParseKind(r.RequiredEnum("kind", {"client", "contractor"}));
               cmd.parent_org_id =
                   domain::OrgId(r.OptionalString("parent_org_id", kId).value_or(""));
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               const std::string id = cmd.org_id.value();
               auto out = co_await d->processor->SubmitAsync(cmd, StaffActor(context),
                                                            IdempotencyKey(request));
               co_return CommandReply(out, {{"org_id", id}});
             }));

  router.Add(Verb::get, "/v1/orgs/{org_id}",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store, "access")) {
                 co_return ProblemResponse(*problem);
               }
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               const std::string id(context.Param("org_id"));
               auto org = d->access->Read([&](const projections::AccessIndex& index)
                                              -> std::optional<boost::json::object> {
                 const auto* o = index.state().FindOrg(id);
                 if (o == nullptr) return std::nullopt;
                 return OrgJson(index.state(), *o);
               });
               if (!org) co_return ProblemResponse(Problem::NotFound("no organisation '" + id + "'"));
               co_return JsonResponse(HttpStatus::ok, *org);
             }));

  router.Add(Verb::post, "/v1/orgs/{org_id}/access",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               domain::SetOrgAccess cmd;
               cmd.org_id = domain::OrgId(std::string(context.Param("org_id")));
               cmd.mode = ParseMode(r.RequiredEnum("mode", {"enabled", "restricted", "disabled"}));
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               co_return co_await SubmitReportingEnded(*d, cmd, request, context);
             }));

  router.Add(Verb::put, "/v1/orgs/{org_id}/allowed-levels",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               domain::SetAllowedLevels cmd;
               cmd.org_id = domain::OrgId(std::string(context.Param("org_id")));
               for (auto& level : r.RequiredStringArray("levels", {.max_items = 100, .item = kId})) {
                 cmd.levels.emplace_back(std::move(level));
               }
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               auto out = co_await d->processor->SubmitAsync(cmd, StaffActor(context),
                                                            IdempotencyKey(request));
               co_return CommandReply(out);
             }));
}

}  // namespace portico::gateway
