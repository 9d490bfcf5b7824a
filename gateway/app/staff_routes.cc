#include "gateway/app/staff_routes.h"

#include <algorithm>
#include <functional>
#include <boost/json.hpp>

#include "domain/catalogue.h"
#include "domain/decide.h"
#include "domain/presets.h"
#include "gateway/app/json_views.h"
#include "gateway/http/async.h"
#include "gateway/http/auth.h"
#include "gateway/http/json_body.h"
#include "gateway/http/query.h"
#include "gateway/http/response.h"

// GCC 12 reports -Wmismatched-new-delete for every coroutine lambda inlined into
// std::function (Asio's awaitable frame has its own operator new/delete, which GCC does not
// pair up): a known false positive, silenced for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace portico::gateway {
namespace {

using boost::asio::awaitable;
constexpr StringRule kId{.min_length = 1, .max_length = 128};

CommandActor StaffActor(const RouteContext& context) {
  return CommandActor{schema::ActorKind::Staff, context.actor, {}};
}

std::string IdempotencyKey(const Request& request) {
  auto it = request.find("Idempotency-Key");
  return it == request.end() ? std::string() : std::string(it->value());
}

template <typename E>
std::optional<E> ParseEnum(std::string_view name, const E* values, std::size_t count,
                           const char* (*enum_name)(E)) {
  for (std::size_t i = 0; i < count; ++i) {
    if (LowerName(enum_name(values[i])) == name) return values[i];
  }
  return std::nullopt;
}

schema::AccessMode ParseMode(std::string_view s) {
  if (s == "enabled") return schema::AccessMode::Enabled;
  if (s == "restricted") return schema::AccessMode::Restricted;
  return schema::AccessMode::Disabled;
}
schema::OrgKind ParseKind(std::string_view s) {
  return s == "contractor" ? schema::OrgKind::Contractor : schema::OrgKind::Client;
}
schema::UserType ParseUserType(std::string_view s) {
  if (s == "passive") return schema::UserType::Passive;
  if (s == "contractor") return schema::UserType::Contractor;
  return schema::UserType::Active;
}
schema::NoteVisibility ParseVisibility(std::string_view s) {
  if (s == "client") return schema::NoteVisibility::Client;
  if (s == "contractor") return schema::NoteVisibility::Contractor;
  return schema::NoteVisibility::Internal;
}

// A level as GET /v1/levels shows it.
boost::json::object LevelJson(const domain::Level& level) {
  boost::json::array caps;
  for (const auto& [capability, scope] : level.capabilities.Entries()) {
    caps.push_back({{"capability", domain::CapabilityName(capability)},
                    {"scope", domain::ScopeName(scope)}});
  }
  boost::json::object out{{"level_id", level.id.value()},
                          {"name", level.name},
                          {"preset", level.preset},
                          {"capabilities", std::move(caps)}};
  if (!level.seed.empty()) out["seed"] = level.seed;
  return out;
}

// A new password: policy, then argon2id on the pool. A problem, or the hashed password.
awaitable<ProblemOr<domain::NewPassword>> PreparePassword(const AppRouteDeps& deps,
                                                          std::string plaintext,
                                                          std::string field) {
  const Status policy = deps.processor->Read([&](const domain::AccessState& state) {
    return domain::CheckPasswordPolicy(state.settings, plaintext);
  });
  if (!policy.ok()) co_return Problem::FromStatus(policy).WithField(field);
  auto hash = co_await OnWorkerPool(*deps.pool, [&plaintext] { return HashPassword(plaintext); });
  if (!hash.ok()) co_return Problem::FromStatus(hash.status());
  co_return domain::NewPassword{std::move(plaintext), std::move(hash).value()};
}

// A staff command built from the path alone (revoke, force-reset, archive, end sessions):
// `make` turns the route's parameters into the command; the reply carries the position and
// how many sessions the command ended.
using PathCommand = std::function<domain::Command(const RouteContext& context)>;

Handler SubmitFromPath(const AppRouteDeps* d, PathCommand make) {
  return [d, make = std::move(make)](Request& request, RouteContext& context) -> awaitable<Response> {
    auto out = co_await d->processor->SubmitAsync(make(context), StaffActor(context),
                                                 IdempotencyKey(request));
    boost::json::object extra;
    if (out.ok()) extra["ended_sessions"] = out->ended_sessions.size();
    co_return CommandReply(out, std::move(extra));
  };
}

}  // namespace

void AddStaffRoutes(Router& router, const AppRouteDeps& deps) {
  const auto staff = [&deps](Handler inner) {
    if (deps.idempotency != nullptr) inner = Idempotent(*deps.idempotency, std::move(inner));
    return RequireStaff(*deps.keys, std::move(inner));
  };
  const auto* d = &deps;

  // -- Settings ----------------------------------------------------------------------------
  router.Add(Verb::get, "/v1/settings",
             staff([d](Request& request, RouteContext&) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->pool, "access")) {
                 co_return ProblemResponse(*problem);
               }
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               const auto settings = d->access->Read(
                   [](const projections::AccessIndex& index) { return index.state().settings; });
               co_return JsonResponse(
                   HttpStatus::ok,
                   {{"portal_enabled", settings.portal_enabled},
                    {"self_registration", LowerName(schema::EnumNameSelfRegistration(settings.self_registration))},
                    {"password_min_length", settings.password_min_length},
                    {"session_idle_minutes", settings.session_idle_minutes},
                    {"session_absolute_hours", settings.session_absolute_hours},
                    {"lockout_threshold", settings.lockout_threshold},
                    {"lockout_minutes", settings.lockout_minutes}});
             }));

  router.Add(Verb::put, "/v1/settings",
             staff([d](Request& request, RouteContext& context) -> awaitable<Response> {
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
               auto out = co_await d->processor->SubmitAsync(cmd, StaffActor(context),
                                                            IdempotencyKey(request));
               boost::json::object extra;
               if (out.ok()) extra["ended_sessions"] = out->ended_sessions.size();
               co_return CommandReply(out, std::move(extra));
             }));

  // -- Organisations -----------------------------------------------------------------------
  router.Add(Verb::post, "/v1/orgs",
             staff([d](Request& request, RouteContext& context) -> awaitable<Response> {
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
             staff([d](Request& request, RouteContext& context) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->pool, "access")) {
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
             staff([d](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               domain::SetOrgAccess cmd;
               cmd.org_id = domain::OrgId(std::string(context.Param("org_id")));
               cmd.mode = ParseMode(r.RequiredEnum("mode", {"enabled", "restricted", "disabled"}));
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               auto out = co_await d->processor->SubmitAsync(cmd, StaffActor(context),
                                                            IdempotencyKey(request));
               boost::json::object extra;
               if (out.ok()) extra["ended_sessions"] = out->ended_sessions.size();
               co_return CommandReply(out, std::move(extra));
             }));

  router.Add(Verb::put, "/v1/orgs/{org_id}/allowed-levels",
             staff([d](Request& request, RouteContext& context) -> awaitable<Response> {
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

  // -- Levels ------------------------------------------------------------------------------
  router.Add(Verb::get, "/v1/levels",
             staff([d](Request& request, RouteContext&) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->pool, "access")) {
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
             staff([d](Request& request, RouteContext& context) -> awaitable<Response> {
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

  // -- Users -------------------------------------------------------------------------------
  router.Add(Verb::post, "/v1/orgs/{org_id}/users",
             staff([d](Request& request, RouteContext& context) -> awaitable<Response> {
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
             staff([d](Request& request, RouteContext& context) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->pool, "access")) {
                 co_return ProblemResponse(*problem);
               }
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               const std::string id(context.Param("user_id"));
               const auto now = NowMicros();
               auto user = d->access->Read([&](const projections::AccessIndex& index)
                                               -> std::optional<boost::json::object> {
                 const auto* u = index.state().FindUser(id);
                 if (u == nullptr) return std::nullopt;
                 return UserJson(index.state(), *u, now);
               });
               if (!user) co_return ProblemResponse(Problem::NotFound("no user '" + id + "'"));
               co_return JsonResponse(HttpStatus::ok, *user);
             }));

  router.Add(Verb::get, "/v1/usernames/{username}",
             staff([d](Request& request, RouteContext& context) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               const std::string name(context.Param("username"));
               auto available = d->processor->Read([&](const domain::AccessState& state) {
                 return domain::IsUsernameAvailable(state, name);
               });
               if (!available.ok()) co_return ProblemResponse(Problem::FromStatus(available.status()));
               co_return JsonResponse(HttpStatus::ok, {{"available", *available}});
             }));

  router.Add(Verb::put, "/v1/users/{user_id}/level",
             staff([d](Request& request, RouteContext& context) -> awaitable<Response> {
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
             staff([d](Request& request, RouteContext& context) -> awaitable<Response> {
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
             staff(SubmitFromPath(d, [](const RouteContext& context) -> domain::Command {
               return domain::RevokePermission{domain::UserId(std::string(context.Param("user_id"))),
                                               std::string(context.Param("capability"))};
             })));

  router.Add(Verb::post, "/v1/users/{user_id}/password",
             staff([d](Request& request, RouteContext& context) -> awaitable<Response> {
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
             staff(SubmitFromPath(d, [](const RouteContext& context) -> domain::Command {
               return domain::ForcePasswordReset{domain::UserId(std::string(context.Param("user_id")))};
             })));

  router.Add(Verb::post, "/v1/users/{user_id}/archive",
             staff(SubmitFromPath(d, [](const RouteContext& context) -> domain::Command {
               return domain::ArchiveUser{domain::UserId(std::string(context.Param("user_id")))};
             })));

  // -- Sessions ----------------------------------------------------------------------------
  router.Add(Verb::get, "/v1/users/{user_id}/sessions",
             staff([d](Request& request, RouteContext& context) -> awaitable<Response> {
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
             staff(SubmitFromPath(d, [](const RouteContext& context) -> domain::Command {
               return domain::EndSession{domain::SessionId(std::string(context.Param("session_id"))),
                                         schema::SessionEndReason::EndedByStaff};
             })));

  router.Add(Verb::delete_, "/v1/users/{user_id}/sessions",
             staff(SubmitFromPath(d, [](const RouteContext& context) -> domain::Command {
               return domain::EndUserSessions{domain::UserId(std::string(context.Param("user_id"))),
                                              schema::SessionEndReason::EndedByStaff};
             })));

  // -- Resources and notes -----------------------------------------------------------------
  router.Add(Verb::put, "/v1/resources/{resource_id}",
             staff([d](Request& request, RouteContext& context) -> awaitable<Response> {
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
             staff([d](Request& request, RouteContext& context) -> awaitable<Response> {
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
             staff([d](Request& request, RouteContext& context) -> awaitable<Response> {
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

  // -- Check, audit, events ----------------------------------------------------------------
  router.Add(Verb::get, "/v1/check",
             staff([d](Request& request, RouteContext&) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->pool, "access")) {
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
             staff([d](Request& request, RouteContext&) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->pool, "audit")) {
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
             staff([d](Request& request, RouteContext&) -> awaitable<Response> {
               QueryReader q(request.target());
               const auto from = q.OptionalUint("from").value_or(1);
               const auto limit = q.OptionalInt("limit", {.min = 1, .max = 1000}).value_or(100);
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
