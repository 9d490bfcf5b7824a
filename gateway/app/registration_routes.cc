#include "gateway/app/registration_routes.h"

#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>
#include <memory>

#include "common/hex.h"
#include "domain/decide.h"
#include "domain/workflows.h"
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
constexpr std::string_view kCodePrefix = "reg_";

// Lower-case hex BLAKE2b-256 of the code as typed (surrounding spaces removed).
std::string CodeHash(std::string_view code) {
  while (!code.empty() && code.front() == ' ') code.remove_prefix(1);
  while (!code.empty() && code.back() == ' ') code.remove_suffix(1);
  unsigned char hash[32];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(code.data()), code.size(), nullptr, 0);
  return HexEncode(hash, sizeof hash);
}

std::string StatusName(domain::RegistrationStatus status) {
  switch (status) {
    case domain::RegistrationStatus::kPending: return "pending";
    case domain::RegistrationStatus::kApproved: return "approved";
    case domain::RegistrationStatus::kRejected: return "rejected";
  }
  return "pending";
}

boost::json::object RegistrationJson(const domain::Registration& r) {
  return {{"user_id", r.user_id.value()}, {"org_id", r.org.value()},       {"username", r.username},
          {"display_name", r.display_name}, {"email", r.email},            {"level", r.level.value()},
          {"status", StatusName(r.status)}, {"reason", r.reason},          {"requested_at", r.requested_at_us},
          {"decided_at", r.decided_at_us}};
}

Handler Decide(const AppRouteDeps* d, bool approve) {
  return [d, approve](Request& request, RouteContext& context) -> awaitable<Response> {
    domain::DecideRegistration cmd;
    cmd.user_id = domain::UserId(std::string(context.Param("user_id")));
    cmd.approve = approve;
    if (!approve && !request.body().empty()) {
      auto body = ParseJsonObject(request);
      if (!body.ok()) co_return ProblemResponse(body.problem());
      ObjectReader r(*body);
      cmd.reason = r.OptionalString("reason", {.max_length = 200}).value_or("");
      if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
    }
    const std::string id = cmd.user_id.value();
    auto out = co_await d->processor->SubmitAsync(std::move(cmd), StaffActor(context), IdempotencyKey(request));
    co_return CommandReply(out, {{"user_id", id}, {"status", approve ? "approved" : "rejected"}});
  };
}

}  // namespace

void AddRegistrationRoutes(Router& router, const AppRouteDeps& deps) {
  const auto* d = &deps;
  // Registrations per client address that pass the closed-door and policy checks: a burst of
  // 20, then one every 5 s. Each costs an argon2id hash, so this bounds the work anyone can
  // make us do.
  auto limiter = std::make_shared<RateLimiter>(RateLimiter::Options{.rate_per_second = 0.2, .burst = 20.0});

  // The code is shown once and never stored (only its hash, in the log): with an
  // Idempotency-Key, a retry gets a 409 saying so instead of the reply (ReplyRetention::kSecret).
  router.Add(Verb::put, "/v1/orgs/{org_id}/registration-code",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               domain::SetRegistrationCode cmd;
               cmd.org_id = domain::OrgId(std::string(context.Param("org_id")));
               cmd.level = domain::LevelId(r.RequiredString("level", kId));
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               const std::string code = std::string(kCodePrefix) + RandomToken(16);  // 128 random bits
               cmd.code_hash = CodeHash(code);
               const std::string org = cmd.org_id.value(), level = cmd.level.value();
               auto out = co_await d->processor->SubmitAsync(std::move(cmd), StaffActor(context),
                                                            IdempotencyKey(request));
               co_return CommandReply(out, {{"org_id", org}, {"organisation_code", code}, {"level", level}});
             }, ReplyRetention::kSecret, "the registration code for this Idempotency-Key was already issued and is shown only "
                "once (it is never stored); to get a code again, issue a new one: the same request "
                "without this Idempotency-Key (or with a new one) replaces the code"));

  router.Add(Verb::delete_, "/v1/orgs/{org_id}/registration-code",
             StaffHandler(deps, [d](Request& request, RouteContext& context) -> awaitable<Response> {
               domain::SetRegistrationCode cmd;
               cmd.org_id = domain::OrgId(std::string(context.Param("org_id")));
               auto out = co_await d->processor->SubmitAsync(std::move(cmd), StaffActor(context),
                                                            IdempotencyKey(request));
               co_return CommandReply(out);
             }));

  // Idempotency-Key scoped by the organisation code and user name (AnonymousIdempotent): a
  // retry with the same key and body gets the first reply, not the 409 of a taken user name.
  router.Add(Verb::post, "/v1/portal/register",
             AnonymousIdempotent(deps, "register", {"organisation_code", "username"},
             [d, limiter](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               auto code = r.RequiredString("organisation_code", {.min_length = 1, .max_length = 128});
               domain::RequestRegistration cmd;
               cmd.username = r.RequiredString("username", {.min_length = 1, .max_length = 128});
               cmd.display_name = r.RequiredString("display_name", {.min_length = 1, .max_length = 200});
               cmd.email = r.RequiredString("email", {.min_length = 1, .max_length = 254});
               cmd.password_plaintext = r.RequiredString("password", {.min_length = 1, .max_length = 128});
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               cmd.code_hash = CodeHash(code);
               // The closed door and the password policy, before paying for a hash.
               const Status open = d->processor->Read([&](const domain::AccessState& state) {
                 Status st = domain::CheckRegistrationOpen(state, cmd.code_hash);
                 if (st.ok()) st = domain::CheckPasswordPolicy(state.settings, cmd.password_plaintext);
                 return st;
               });
               if (!open.ok()) co_return ProblemResponse(Problem::FromStatus(open));
               // Only what gets this far costs a hash, so only it counts against the address.
               if (auto decision = limiter->Acquire(context.remote_address); !decision.allowed) {
                 co_return ProblemResponse(
                     Problem::TooManyRequests("too many registrations; try again later", decision.retry_after));
               }
               auto hash = co_await OnWorkerPool(*d->pool, [&cmd] { return HashPassword(cmd.password_plaintext); });
               if (!hash.ok()) co_return ProblemResponse(Problem::FromStatus(hash.status()));
               cmd.password_hash = std::move(hash).value();
               cmd.user_id = domain::UserId("u_" + RandomHex(12));
               const std::string id = cmd.user_id.value();
               CommandActor actor{schema::ActorKind::System, "self-registration", {}};
               auto out = co_await d->processor->SubmitAsync(std::move(cmd), std::move(actor));
               bool active = false;
               if (out.ok()) {
                 for (const auto& event : out->events) active = active || event.body.AsUserCreated() != nullptr;
               }
               co_return CommandReply(out, {{"user_id", id}, {"status", active ? "active" : "pending"}});
             }));

  router.Add(Verb::get, "/v1/registrations",
             StaffHandler(deps, [d](Request& request, RouteContext&) -> awaitable<Response> {
               QueryReader q(request.target());
               if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store, "access")) {
                 co_return ProblemResponse(*problem);
               }
               const auto status = q.OptionalEnum("status", {"pending", "approved", "rejected", "all"}).value_or("pending");
               const auto org = q.OptionalString("org_id", kId);
               if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
               auto list = d->access->Read([&](const projections::AccessIndex& index) {
                 std::vector<domain::Registration> out;
                 for (const auto& [id, r] : index.state().workflows.registrations) {
                   if (status != "all" && StatusName(r.status) != status) continue;
                   if (org && r.org.value() != *org) continue;
                   out.push_back(r);
                 }
                 return out;
               });
               std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
                 return std::tie(a.requested_at_us, a.user_id) < std::tie(b.requested_at_us, b.user_id);
               });
               boost::json::array out;
               for (const auto& r : list) out.push_back(RegistrationJson(r));
               co_return JsonResponse(HttpStatus::ok, {{"registrations", std::move(out)}});
             }));

  router.Add(Verb::post, "/v1/registrations/{user_id}/approve", StaffHandler(deps, Decide(d, true)));
  router.Add(Verb::post, "/v1/registrations/{user_id}/reject", StaffHandler(deps, Decide(d, false)));
}

}  // namespace portico::gateway
