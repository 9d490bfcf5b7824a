// "I forgot my password" (portal, no session):
//
// POST /v1/portal/password-reset {username}: always 202 with the same body, whether the user
// name exists or not, and before any lookup: the reply cannot tell them apart, in content or
// in time. The work happens after the reply, on the worker pool: for a known user that may
// log in and has an e-mail address, a fresh token (32 random bytes, URL-safe base64) whose
// BLAKE2b-256 hash goes into a PasswordResetRequested event (expiring after
// --reset-token-minutes, 15 by default), then the reset-link mail (the only place the raw
// token ever appears). Requests are rate limited per user name and per client address (429,
// the same for every user name).
//
// POST /v1/portal/password-reset/confirm {token, new_password}: a spent, expired, replaced or
// unknown token, or one issued before the latest password change, is one 422 naming token
// ("the reset token is invalid or has expired"), answered before the password is looked at
// or hashed; a password that breaks the policy is a 422 naming new_password. Otherwise
// argon2id on the worker pool, then ConfirmPasswordReset: the new password, and every session
// of the user ended. Idempotency-Key is scoped by the token (AnonymousIdempotent).
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <memory>

#include "common/log.h"
#include "domain/decide.h"
#include "domain/validate.h"
#include "gateway/app/alert_routes.h"
#include "gateway/app/attempt_limiter.h"
#include "gateway/app/json_views.h"
#include "gateway/app/portal_auth.h"
#include "gateway/app/workflow_route_helpers.h"
#include "gateway/http/async.h"
#include "gateway/http/json_body.h"
#include "gateway/http/rate_limiter.h"
#include "gateway/http/response.h"

namespace portico::gateway {
namespace {

using boost::asio::awaitable;

// Per user name: 5, then one a minute. Per address: 30, then one a second.
std::shared_ptr<AttemptLimiter> MakeResetLimiter() {
  return std::make_shared<AttemptLimiter>(RateLimiter::Options{.rate_per_second = 1.0 / 60, .burst = 5.0},
                                          RateLimiter::Options{.rate_per_second = 1.0, .burst = 30.0},
                                          "too many password reset requests; try again later");
}

// After the 202: token, event, mail. Runs on the worker pool; logs, never throws.
void IssueResetToken(const AlertRouteDeps& a, const std::string& username) {
  struct Found {
    std::string user_id, email, display_name;
  };
  const Found found = a.app->processor->Read([&](const domain::AccessState& state) {
    Found f;
    auto canonical = domain::NormaliseUsername(username);
    if (!canonical.ok()) return f;
    if (const auto* user = state.FindUserByUsername(*canonical); user != nullptr && !user->archived) {
      f = Found{user->id.value(), user->email, user->display_name};
    }
    return f;
  });
  if (found.user_id.empty() || found.email.empty() || a.outbox == nullptr) return;
  const std::string token = RandomToken(32);
  domain::RequestPasswordReset command;
  command.user_id = domain::UserId(found.user_id);
  command.token_hash = TokenHash(token);
  const std::int64_t now = NowMicros();
  command.expires_at_us = now + a.reset_token_minutes * 60 * 1'000'000;
  CommandActor actor{schema::ActorKind::PortalUser, found.user_id, {}};
  auto out = a.app->processor->Submit(command, actor);
  if (!out.ok()) {
    // Passive users, disabled logins...: no token, no mail, and the caller cannot tell.
    NamedLogger("notifications")->info("no reset link for user {}: {}", found.user_id, out.status().ToString());
    return;
  }
  a.outbox->SendNow(ComposeResetMail("password_reset-" + std::to_string(out->position.value()), found.user_id,
                                     found.email, found.display_name, token, now, a.outbox->mail()));
}

// The user a reset token may reset now, or the one 422 (field "token") that every unusable
// token gets, whatever is wrong with it: unknown, spent, replaced, expired, or issued before
// the user's latest password change (domain::UsableResetTokenOwner).
ProblemOr<std::string> ResetTokenOwner(const AppRouteDeps& d, const schemas::Hash& token_hash) {
  const std::int64_t now = NowMicros();
  auto owner = d.processor->Read([&](const domain::AccessState& state) -> Result<std::string> {
    ASSIGN_OR_RETURN(const domain::User* user, domain::UsableResetTokenOwner(state, token_hash, now));
    return user->id.value();
  });
  if (!owner.ok()) return Problem::FromStatus(owner.status()).WithField("token");
  return std::move(owner).value();
}

}  // namespace

void AddPasswordResetRoutes(Router& router, const AlertRouteDeps& deps) {
  const auto* a = &deps;
  auto limits = MakeResetLimiter();

  router.Add(Verb::post, "/v1/portal/password-reset",
             [a, limits](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               auto username = r.RequiredString("username", {.min_length = 1, .max_length = 256});
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               if (auto problem = limits->Admit(context.remote_address, AttemptLimiter::NameKey(username))) {
                 co_return ProblemResponse(*problem);
               }
               boost::asio::post(*a->app->pool, [a, username] { IssueResetToken(*a, username); });
               co_return JsonResponse(
                   HttpStatus::accepted,
                   {{"status", "accepted"},
                    {"detail", "if the user name exists and has an e-mail address, a reset link has been sent to it"}});
             });

  // Idempotency-Key scoped by the token (AnonymousIdempotent): a retry with the same key and
  // body gets the first reply, not the 422 of a spent token.
  router.Add(Verb::post, "/v1/portal/password-reset/confirm",
             AnonymousIdempotent(*a->app, "password-reset", {"token"},
             [a, limits](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               auto token = r.RequiredString("token", {.min_length = 1, .max_length = 128});
               auto password = r.RequiredString("new_password", {.min_length = 1, .max_length = 128});
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               // Bounds guessing and the argon2id work anyone can make us do.
               if (auto problem = limits->Admit(context.remote_address, {})) co_return ProblemResponse(*problem);
               const schemas::Hash hash = TokenHash(token);
               const auto* d = a->app;
               // The token, then the password policy, before paying for a hash.
               auto owner = ResetTokenOwner(*d, hash);
               if (!owner.ok()) co_return ProblemResponse(owner.problem());
               const Status policy = d->processor->Read([&](const domain::AccessState& state) {
                 return domain::CheckPasswordPolicy(state.settings, password);
               });
               if (!policy.ok()) co_return ProblemResponse(Problem::FromStatus(policy).WithField("new_password"));
               auto hashed = co_await OnWorkerPool(*d->pool, [&password] { return HashPassword(password); });
               if (!hashed.ok()) co_return ProblemResponse(Problem::FromStatus(hashed.status()));
               domain::ConfirmPasswordReset command;
               command.token_hash = hash;
               command.password_plaintext = std::move(password);
               command.password_hash = std::move(hashed).value();
               // The actor is the user the token belongs to.
               CommandActor actor{schema::ActorKind::PortalUser, *owner, {}};
               auto out = co_await d->processor->SubmitAsync(std::move(command), std::move(actor));
               // Spent or expired while the password was hashed: the same answer as above.
               if (!out.ok()) {
                 if (auto still = ResetTokenOwner(*d, hash); !still.ok()) co_return ProblemResponse(still.problem());
               }
               boost::json::object extra;
               if (out.ok()) extra["ended_sessions"] = out->ended_sessions.size();
               co_return CommandReply(out, std::move(extra));
             }));
}

}  // namespace portico::gateway
