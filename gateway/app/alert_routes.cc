#include "gateway/app/alert_routes.h"

#include <boost/json.hpp>

#include "domain/alert_state.h"
#include "gateway/app/json_views.h"
#include "gateway/app/portal_auth.h"
#include "gateway/app/staff_route_helpers.h"
#include "gateway/app/workflow_route_helpers.h"
#include "gateway/http/auth.h"
#include "gateway/http/json_body.h"
#include "gateway/http/query.h"
#include "gateway/http/response.h"


namespace portico::gateway {
namespace {

using boost::asio::awaitable;

// [{kind, channels: ["in_portal", "email"]}] from the body's field "subscriptions"; a channel
// other than those two sets `bad` (the reader knows only types and bounds).
std::vector<domain::AlertSubscriptionEntry> ReadSubscriptions(ObjectReader& r, std::optional<Problem>& bad) {
  std::vector<domain::AlertSubscriptionEntry> out;
  r.ObjectArray("subscriptions", true, 32, [&](ObjectReader& item) {
    domain::AlertSubscriptionEntry e;
    e.kind = item.RequiredEnum("kind", {"note_added", "note_shared", "file_added", "resource_added",
                                        "resource_updated", "task_status_changed"});
    for (const std::string& channel :
         item.RequiredStringArray("channels", {.max_items = 2, .item = {.min_length = 1, .max_length = 16}})) {
      if (channel == "in_portal") {
        e.in_portal = true;
      } else if (channel == "email") {
        e.email = true;
      } else if (!bad) {
        bad = Problem::BadRequest("unknown channel '" + channel + "': use in_portal or email")
                  .WithField("subscriptions[" + std::to_string(out.size()) + "].channels");
      }
    }
    out.push_back(std::move(e));
  });
  return out;
}

boost::json::array SubscriptionsJson(const std::vector<domain::AlertSubscriptionEntry>& entries) {
  boost::json::array out;
  for (const auto& e : entries) {
    boost::json::array channels;
    if (e.in_portal) channels.emplace_back("in_portal");
    if (e.email) channels.emplace_back("email");
    out.push_back({{"kind", e.kind}, {"channels", std::move(channels)}});
  }
  return out;
}

boost::json::object AlertSetJson(const domain::AlertSet& set) {
  return {{"alert_set_id", set.id}, {"name", set.name}, {"subscriptions", SubscriptionsJson(set.subscriptions)}};
}

boost::json::object AlertJson(const projections::Alert& a) {
  boost::json::object out{{"alert_id", a.alert_id},   {"kind", a.kind},
                          {"position", a.position},   {"created_at", a.created_at_us},
                          {"resource_id", a.resource_id}, {"resource_type", a.resource_type},
                          {"title", a.title},         {"text", a.text},
                          {"read", a.read}};
  if (!a.note_id.empty()) out["note_id"] = a.note_id;
  return out;
}

// A staff command with a JSON body: `make` reads the body (its problems win) into a command.
using BodyCommand = std::function<domain::Command(ObjectReader& body, const RouteContext& context,
                                                  std::optional<Problem>& problem)>;
Handler StaffBodyCommand(const AppRouteDeps* d, BodyCommand make) {
  return [d, make = std::move(make)](Request& request, RouteContext& context) -> awaitable<Response> {
    auto body = ParseJsonObject(request);
    if (!body.ok()) co_return ProblemResponse(body.problem());
    ObjectReader r(*body);
    std::optional<Problem> bad;
    domain::Command command = make(r, context, bad);
    if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
    if (bad) co_return ProblemResponse(*bad);
    auto out = co_await d->processor->SubmitAsync(std::move(command), StaffActor(context), IdempotencyKey(request));
    co_return CommandReply(out);
  };
}

}  // namespace

void AddAlertRoutes(Router& router, const AlertRouteDeps& deps) {
  const auto* d = deps.app;
  const auto* a = &deps;
  const auto staff = [d](Handler inner) { return StaffHandler(*d, std::move(inner)); };

  // -- Staff: alert sets, assignment, "Notify Client" ---------------------------------------
  router.Add(Verb::put, "/v1/alert-sets/{alert_set_id}",
             staff(StaffBodyCommand(d, [](ObjectReader& r, const RouteContext& context, std::optional<Problem>& bad) -> domain::Command {
               domain::DefineAlertSet c;
               c.alert_set_id = std::string(context.Param("alert_set_id"));
               c.name = r.RequiredString("name", {.min_length = 1, .max_length = 200});
               c.subscriptions = ReadSubscriptions(r, bad);
               return c;
             })));

  router.Add(Verb::get, "/v1/alert-sets",
             staff([d](Request& request, RouteContext&) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store, "access")) {
                 co_return ProblemResponse(*problem);
               }
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               std::vector<domain::AlertSet> sets = d->access->Read([](const projections::AccessIndex& index) {
                 std::vector<domain::AlertSet> out;
                 for (const auto& [id, set] : index.state().alerting.alert_sets) out.push_back(set);
                 return out;
               });
               std::sort(sets.begin(), sets.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
               boost::json::array out;
               for (const auto& set : sets) out.push_back(AlertSetJson(set));
               co_return JsonResponse(HttpStatus::ok, {{"alert_sets", std::move(out)}});
             }));

  router.Add(Verb::post, "/v1/users/{user_id}/alert-sets",
             staff(StaffBodyCommand(d, [](ObjectReader& r, const RouteContext& context, std::optional<Problem>&) -> domain::Command {
               domain::AssignAlertSets c;
               c.user_id = domain::UserId(std::string(context.Param("user_id")));
               c.alert_set_ids = r.RequiredStringArray("alert_set_ids", {.max_items = 32, .item = kId});
               return c;
             })));

  router.Add(Verb::post, "/v1/users/{user_id}/notify",
             staff(SubmitFromPath(d, [](const RouteContext& context) -> domain::Command {
               return domain::SendLoginDetails{domain::UserId(std::string(context.Param("user_id")))};
             })));

  // -- Portal: subscriptions and the inbox ---------------------------------------------------
  router.Add(Verb::get, "/v1/portal/subscriptions",
             PortalRoute(*d, [d](Request& request, RouteContext&, const projections::ActiveSession& session)
                           -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store, "access")) {
                 co_return ProblemResponse(*problem);
               }
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               boost::json::object body = d->access->Read([&](const projections::AccessIndex& index) {
                 const auto& alerting = index.state().alerting;
                 boost::json::array sets;
                 if (auto it = alerting.assigned_sets.find(session.user_id); it != alerting.assigned_sets.end()) {
                   for (const std::string& id : it->second) {
                     if (auto set = alerting.alert_sets.find(id); set != alerting.alert_sets.end()) {
                       sets.push_back(AlertSetJson(set->second));
                     }
                   }
                 }
                 auto own = alerting.subscriptions.find(session.user_id);
                 boost::json::array kinds;
                 for (auto kind : domain::kAlertKinds) kinds.emplace_back(kind);
                 return boost::json::object{
                     {"subscriptions", own == alerting.subscriptions.end() ? boost::json::array()
                                                                           : SubscriptionsJson(own->second)},
                     {"alert_sets", std::move(sets)},
                     {"kinds", std::move(kinds)},
                     {"position", index.state().position}};
               });
               co_return JsonResponse(HttpStatus::ok, body);
             }));

  router.Add(Verb::put, "/v1/portal/subscriptions",
             PortalRoute(*d, [d](Request& request, RouteContext&, const projections::ActiveSession& session)
                           -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               domain::SetAlertSubscriptions c;
               c.user_id = domain::UserId(session.user_id);
               std::optional<Problem> bad;
               c.subscriptions = ReadSubscriptions(r, bad);
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               if (bad) co_return ProblemResponse(*bad);
               auto out = co_await d->processor->SubmitAsync(std::move(c), PortalActor(session), IdempotencyKey(request));
               co_return CommandReply(out);
             }));

  router.Add(Verb::get, "/v1/portal/alerts",
             PortalRoute(*d, [d, a](Request& request, RouteContext&, const projections::ActiveSession& session)
                           -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store, "alerts")) {
                 co_return ProblemResponse(*problem);
               }
               const bool unread = q.OptionalBool("unread").value_or(false);
               const auto limit = q.OptionalInt("limit", {.min = 1, .max = 1000}).value_or(100);
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               const auto inbox = a->alerts->InboxOf(session.user_id, unread, static_cast<std::size_t>(limit));
               boost::json::array alerts;
               for (const auto& alert : inbox.alerts) alerts.push_back(AlertJson(alert));
               co_return JsonResponse(HttpStatus::ok, {{"alerts", std::move(alerts)},
                                                       {"unread", inbox.unread},
                                                       {"total", inbox.total},
                                                       {"position", a->alerts->applied().value()}});
             }));

  router.Add(Verb::post, "/v1/portal/alerts/{alert_id}/read",
             PortalRoute(*d, [d, a](Request& request, RouteContext& context, const projections::ActiveSession& session)
                           -> awaitable<Response> {
               const std::string id(context.Param("alert_id"));
               if (!a->alerts->HasAlert(session.user_id, id)) {
                 co_return ProblemResponse(Problem::NotFound("no alert '" + id + "'"));
               }
               domain::MarkAlertsRead c;
               c.user_id = domain::UserId(session.user_id);
               c.alert_ids = {id};
               auto out = co_await d->processor->SubmitAsync(std::move(c), PortalActor(session), IdempotencyKey(request));
               co_return CommandReply(out);
             }));
}

boost::json::object AlertToJson(const projections::Alert& alert) { return AlertJson(alert); }

}  // namespace portico::gateway
