#include "gateway/app/portal_action_routes.h"

#include <boost/json.hpp>

#include "gateway/app/json_views.h"
#include "gateway/app/staff_route_helpers.h"
#include "gateway/app/workflow_route_helpers.h"
#include "gateway/http/json_body.h"
#include "gateway/http/response.h"

namespace portico::gateway {
namespace {

using boost::asio::awaitable;
using projections::ActiveSession;

// A portal command whose JSON body `read` turns into the command (ignored when the body has a
// problem: Finish() reports it); the reply carries `extra` and the position.
using ReadCommand = std::function<domain::Command(ObjectReader& body, const ActiveSession& session,
                                                                 const RouteContext& context,
                                                                 boost::json::object& extra)>;

PortalHandler JsonCommand(const AppRouteDeps* d, ReadCommand read) {
  return [d, read = std::move(read)](Request& request, RouteContext& context,
                                     const ActiveSession& session) -> awaitable<Response> {
    auto body = ParseJsonObject(request);
    if (!body.ok()) co_return ProblemResponse(body.problem());
    ObjectReader r(*body);
    boost::json::object extra;
    auto command = read(r, session, context, extra);
    if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
    auto out = co_await d->processor->SubmitAsync(std::move(command), PortalActor(session), IdempotencyKey(request));
    co_return CommandReply(out, std::move(extra));
  };
}

domain::UserId Me(const ActiveSession& session) { return domain::UserId(session.user_id); }
domain::ResourceId PathResource(const RouteContext& context) {
  return domain::ResourceId(std::string(context.Param("id")));
}

}  // namespace

void AddPortalActionRoutes(Router& router, const AppRouteDeps& deps) {
  const auto* d = &deps;

  router.Add(Verb::post, "/v1/portal/tasks",
             PortalRoute(deps, JsonCommand(d, [](ObjectReader& r, const ActiveSession& session, const RouteContext&,
                                                 boost::json::object& extra) -> domain::Command {
               domain::SubmitPortalRequest cmd;
               cmd.user_id = Me(session);
               cmd.title = r.RequiredString("title", {.min_length = 1, .max_length = 500});
               cmd.description = r.OptionalString("description", {.max_length = 20000}).value_or("");
               const auto kind = r.OptionalEnum("kind", {"task", "work_request"}).value_or("task");
               cmd.kind = kind == "work_request" ? schema::PortalRequestKind::WorkRequest : schema::PortalRequestKind::Task;
               cmd.request_id = "req_" + RandomHex(12);
               extra["request_id"] = cmd.request_id;
               extra["kind"] = kind;
               return cmd;
             })));

  router.Add(Verb::post, "/v1/portal/resources/{id}/notes",
             PortalRoute(deps, JsonCommand(d, [](ObjectReader& r, const ActiveSession& session,
                                                 const RouteContext& context,
                                                 boost::json::object& extra) -> domain::Command {
               domain::AddPortalNote cmd;
               cmd.user_id = Me(session);
               cmd.resource_id = PathResource(context);
               cmd.body = r.RequiredString("body", {.min_length = 1, .max_length = 20000});
               cmd.note_id = domain::NoteId("pn_" + RandomHex(12));
               extra["note_id"] = cmd.note_id.value();
               return cmd;
             })));

  router.Add(Verb::post, "/v1/portal/resources/{id}/approve",
             PortalRoute(deps, JsonCommand(d, [](ObjectReader& r, const ActiveSession& session,
                                                 const RouteContext& context,
                                                 boost::json::object& extra) -> domain::Command {
               domain::ApproveEstimate cmd;
               cmd.user_id = Me(session);
               cmd.resource_id = PathResource(context);
               cmd.comment = r.OptionalString("comment", {.max_length = 20000}).value_or("");
               extra["resource_id"] = cmd.resource_id.value();
               return cmd;
             })));

  router.Add(Verb::post, "/v1/portal/resources/{id}/payment-intents",
             PortalRoute(deps, JsonCommand(d, [](ObjectReader& r, const ActiveSession& session,
                                                 const RouteContext& context,
                                                 boost::json::object& extra) -> domain::Command {
               domain::RecordPaymentIntent cmd;
               cmd.user_id = Me(session);
               cmd.resource_id = PathResource(context);
               cmd.amount_cents = r.RequiredInt("amount_cents", {.min = 1, .max = 1'000'000'000'000});
               cmd.currency = r.RequiredString("currency", {.min_length = 3, .max_length = 3});
               cmd.method = r.RequiredString("method", {.min_length = 1, .max_length = 64});
               cmd.intent_id = "pi_" + RandomHex(12);
               extra["intent_id"] = cmd.intent_id;
               return cmd;
             })));
}

}  // namespace portico::gateway
