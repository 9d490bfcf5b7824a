// The staff routes for the provider's settings and the access levels (API.md, "Settings", "Levels").
#include <algorithm>
#include <boost/json.hpp>

#include "domain/presets.h"
#include "gateway/app/staff_route_helpers.h"

namespace portico::gateway {

using boost::asio::awaitable;

void AddStaffSettingsRoutes(Router& router, const AppRouteDeps& deps) {
  const auto* d = &deps;

  // -- Settings ----------------------------------------------------------------------------
  router.Add(Verb::get, "/v1/settings",
             StaffHandler(deps, [d](Request& request, RouteContext&) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store, "access")) {
                 co_return ProblemResponse(*problem);
               }
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               const auto settings = d->access->Read(
                   [](const projections::AccessIndex& index) { return index.state().settings; });
               co_return JsonResponse(
                   HttpStatus::ok,
                   {{"portal_enabled", settings.portal_enabled},
                    {"self_registration", schemas::SnakeCaseName(schema::EnumNameSelfRegistration(settings.self_registration))},
                    {"password_min_length", settings.password_min_length},
                    {"session_idle_minutes", settings.session_idle_minutes},
                    {"session_absolute_hours", settings.session_absolute_hours},
                    {"lockout_threshold", settings.lockout_threshold},
                    {"lockout_minutes", settings.lockout_minutes}});
             }));

  router.Add(Verb::put, "/v1/settings",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               domain::ChangeSettings cmd;
               cmd.portal_enabled = r.RequiredBool("portal_enabled");
               const auto mode = r.RequiredEnum("self_registration", {"off", "approval", "open"});
               cmd.password_min_length = r.RequiredInt("password_min_length");
               cmd.session_idle_minutes = r.RequiredInt("session_idle_minutes");
               cmd.session_absolute_hours = r.RequiredInt("session_absolute_hours");
               cmd.lockout_threshold = r.RequiredInt("lockout_threshold");
               cmd.lockout_minutes = r.RequiredInt("lockout_minutes");
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               cmd.self_registration =
                   mode == "open"       ? schema::SelfRegistration::Open
                   : mode == "approval" ? schema::SelfRegistration::Approval
                                        : schema::SelfRegistration::Off;
               co_return co_await SubmitReportingEnded(*d, cmd, request, context);
             }));

  // -- Levels ------------------------------------------------------------------------------
  router.Add(Verb::get, "/v1/levels",
             StaffHandler(deps, [d](Request& request, RouteContext&) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store, "access")) {
                 co_return ProblemResponse(*problem);
               }
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               boost::json::array levels;
               for (const auto& preset : domain::Presets()) levels.push_back(LevelJson(preset));
               auto custom = d->access->Read([](const projections::AccessIndex& index) {
                 std::vector<boost::json::object> out;
                 for (const auto& [id, level] : index.state().levels) out.push_back(LevelJson(level));
                 return out;
               });
               std::sort(custom.begin(), custom.end(), [](const auto& a, const auto& b) {
                 return a.at("level_id").as_string() < b.at("level_id").as_string();
               });
               for (auto& level : custom) levels.push_back(std::move(level));
               co_return JsonResponse(HttpStatus::ok, {{"levels", std::move(levels)}});
             }));

  router.Add(Verb::put, "/v1/levels/{level_id}",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               domain::DefineLevel cmd;
               cmd.level_id = domain::LevelId(std::string(context.Param("level_id")));
               cmd.name = r.RequiredString("name", {.min_length = 1, .max_length = 200});
               r.ObjectArray("capabilities", true, 200, [&cmd](ObjectReader& entry) {
                 domain::LevelEntry e;
                 e.capability = entry.RequiredString("capability", kId);
                 e.scope = entry.OptionalString("scope", kId).value_or("");
                 cmd.capabilities.push_back(std::move(e));
               });
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               const std::string id = cmd.level_id.value();
               auto out = co_await d->processor->SubmitAsync(std::move(cmd), StaffActor(context),
                                                            IdempotencyKey(request));
               co_return CommandReply(out, {{"level_id", id}});
             }));
}

}  // namespace portico::gateway
