// The staff routes for resources and notes (API.md, "Resources and notes").
#include <boost/json.hpp>

#include "domain/catalogue.h"
#include "gateway/app/staff_route_helpers.h"

namespace portico::gateway {

using boost::asio::awaitable;

void AddStaffResourceRoutes(Router& router, const AppRouteDeps& deps) {
  const auto* d = &deps;

  // -- Resources and notes -----------------------------------------------------------------
  router.Add(Verb::put, "/v1/resources/{resource_id}",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               domain::UpsertResource cmd;
               cmd.resource_id = domain::ResourceId(std::string(context.Param("resource_id")));
               auto type = r.RequiredString("type", {.min_length = 1, .max_length = 32});
               cmd.org_id = domain::OrgId(r.RequiredString("org_id", kId));
               cmd.title = r.RequiredString("title", {.min_length = 1, .max_length = 500});
               auto status = r.OptionalString("status", {.min_length = 1, .max_length = 32});
               cmd.contact_user_id = domain::UserId(r.OptionalString("contact_user_id", kId).value_or(""));
               for (auto& u : r.OptionalStringArray("assigned_user_ids", {.max_items = 100, .item = kId})
                                  .value_or(std::vector<std::string>{})) {
                 cmd.assigned_user_ids.emplace_back(std::move(u));
               }
               cmd.assigned_org_id = domain::OrgId(r.OptionalString("assigned_org_id", kId).value_or(""));
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               auto parsed_type = domain::ParseResourceType(type);
               if (!parsed_type) {
                 co_return ProblemResponse(Problem::BadRequest("unknown resource type '" + type + "'").WithField("type"));
               }
               cmd.type = *parsed_type;
               if (status) {
                 auto parsed_status = domain::ParseResourceStatus(*status);
                 if (!parsed_status) {
                   co_return ProblemResponse(Problem::BadRequest("unknown status '" + *status + "'").WithField("status"));
                 }
                 cmd.status = *parsed_status;
               }
               const std::string id = cmd.resource_id.value();
               auto out = co_await d->processor->SubmitAsync(std::move(cmd), StaffActor(context),
                                                            IdempotencyKey(request));
               co_return CommandReply(out, {{"resource_id", id}});
             }));

  router.Add(Verb::post, "/v1/notes",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               domain::ShareNote cmd;
               cmd.note_id = domain::NoteId(r.RequiredString("note_id", kId));
               cmd.resource_id = domain::ResourceId(r.RequiredString("resource_id", kId));
               cmd.body = r.RequiredString("body", {.min_length = 1, .max_length = 20000});
               cmd.visibility = ParseVisibility(
                   r.RequiredEnum("visibility", {"internal", "client", "contractor"}));
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               const std::string id = cmd.note_id.value();
               auto out = co_await d->processor->SubmitAsync(std::move(cmd), StaffActor(context),
                                                            IdempotencyKey(request));
               co_return CommandReply(out, {{"note_id", id}});
             }));

  router.Add(Verb::post, "/v1/notes/{note_id}/visibility",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               domain::ChangeNoteVisibility cmd;
               cmd.note_id = domain::NoteId(std::string(context.Param("note_id")));
               cmd.visibility = ParseVisibility(
                   r.RequiredEnum("visibility", {"internal", "client", "contractor"}));
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               auto out = co_await d->processor->SubmitAsync(cmd, StaffActor(context),
                                                            IdempotencyKey(request));
               co_return CommandReply(out);
             }));
}

}  // namespace portico::gateway
