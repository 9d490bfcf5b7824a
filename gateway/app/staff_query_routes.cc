// The staff read routes over the whole log: check, audit, events (API.md, "Check", "Audit").
#include <boost/json.hpp>

#include "domain/check.h"
#include "gateway/app/staff_route_helpers.h"

namespace portico::gateway {

using boost::asio::awaitable;

void AddStaffQueryRoutes(Router& router, const AppRouteDeps& deps) {
  const auto* d = &deps;

  // -- Check, audit, events ----------------------------------------------------------------
  router.Add(Verb::get, "/v1/check",
             StaffHandler(deps, [d](Request& request, RouteContext&) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store, "access")) {
                 co_return ProblemResponse(*problem);
               }
               auto user = q.RequiredString("user_id", kId);
               auto capability = q.RequiredString("capability", kId);
               auto resource = q.OptionalString("resource_id", kId);
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               std::optional<domain::ResourceId> rid;
               if (resource) rid.emplace(*resource);
               const auto result = d->access->Check(domain::UserId(user), capability,
                                                    rid ? &*rid : nullptr, NowMicros());
               boost::json::object out{{"allowed", result.allowed},
                                       {"reason", domain::ReasonName(result.reason)},
                                       {"detail", result.detail}};
               if (result.allowed) out["scope"] = domain::ScopeName(result.scope);
               co_return JsonResponse(HttpStatus::ok, out);
             }));

  router.Add(Verb::get, "/v1/audit",
             StaffHandler(deps, [d](Request& request, RouteContext&) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store, "audit")) {
                 co_return ProblemResponse(*problem);
               }
               projections::AuditFilter filter;
               filter.user_id = q.OptionalString("user_id", kId);
               filter.org_id = q.OptionalString("org_id", kId);
               filter.actor = q.OptionalString("actor", kId);
               filter.resource_id = q.OptionalString("resource_id", kId);
               auto type = q.OptionalString("type", kId);
               filter.from_us = q.OptionalInt("from", {.min = 0});
               filter.to_us = q.OptionalInt("to", {.min = 0});
               filter.after = Position(q.OptionalUint("after").value_or(0));
               filter.limit = static_cast<std::size_t>(
                   q.OptionalInt("limit", {.min = 1, .max = projections::kMaxAuditLimit})
                       .value_or(projections::kDefaultAuditLimit));
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               if (type) {
                 filter.type = ParseEnum<schema::EventBody>(
                     *type, schema::EnumValuesEventBody(),
                     std::size(schema::EnumValuesEventBody()), &schema::EnumNameEventBody);
                 if (!filter.type || *filter.type == schema::EventBody::NONE) {
                   co_return ProblemResponse(
                       Problem::BadRequest("unknown event type '" + *type + "'").WithField("type"));
                 }
               }
               auto page = d->audit->Query(filter);
               auto events = co_await OnWorkerPool(*d->pool, [d, &page]() -> Result<boost::json::array> {
                 boost::json::array out;
                 for (const auto& record : page.records) {
                   ASSIGN_OR_RETURN(auto read, d->store->ReadAll(record.position, 1));
                   if (read.empty()) return Status::Internal("audit position beyond the log");
                   out.push_back(EventJson(read.front()));
                 }
                 return out;
               });
               if (!events.ok()) co_return ProblemResponse(Problem::FromStatus(events.status()));
               boost::json::object body{{"events", std::move(events).value()}};
               body["next"] = page.next ? boost::json::value(page.next->value())
                                        : boost::json::value(nullptr);
               co_return JsonResponse(HttpStatus::ok, body);
             }));

  router.Add(Verb::get, "/v1/events",
             StaffHandler(deps, [d](Request& request, RouteContext&) -> awaitable<Response> {
               QueryReader q(request.target());
               const auto from = q.OptionalUint("from").value_or(1);
               const auto limit = q.OptionalInt("limit", {.min = 1, .max = 1000}).value_or(100);
               // The log holds whatever a projection has applied: waiting for the projections
               // is more than enough, and validates min_position as every other GET does.
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store)) co_return ProblemResponse(*problem);
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               auto events = co_await OnWorkerPool(*d->pool, [d, from, limit]() -> Result<boost::json::array> {
                 ASSIGN_OR_RETURN(auto read, d->store->ReadAll(Position(from), static_cast<std::size_t>(limit)));
                 boost::json::array out;
                 for (const auto& e : read) out.push_back(EventJson(e));
                 return out;
               });
               if (!events.ok()) co_return ProblemResponse(Problem::FromStatus(events.status()));
               const auto count = events->size();
               boost::json::object body{{"events", std::move(events).value()}};
               body["next"] = count == static_cast<std::size_t>(limit)
                                  ? boost::json::value(std::max<std::uint64_t>(from, 1) + count)
                                  : boost::json::value(nullptr);
               co_return JsonResponse(HttpStatus::ok, body);
             }));
}

}  // namespace portico::gateway
