#include "gateway/app/portal_routes.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <functional>
#include <memory>

#include "common/hex.h"
#include "domain/catalogue.h"
#include "domain/check.h"
#include "domain/decide.h"
#include "domain/validate.h"
#include "gateway/app/attempt_limiter.h"
#include "gateway/app/json_views.h"
#include "gateway/app/portal_auth.h"
#include "gateway/app/staff_route_helpers.h"
#include "gateway/app/workflow_route_helpers.h"
#include "gateway/http/async.h"
#include "gateway/http/auth.h"
#include "gateway/http/idempotency.h"
#include "gateway/http/json_body.h"
#include "gateway/http/query.h"
#include "gateway/http/rate_limiter.h"
#include "gateway/http/response.h"
#include "projections/portal_view.h"

namespace portico::gateway {
namespace {

using boost::asio::awaitable;

// Login attempts (and current-password checks): per user name a burst of 10 then one a
// second, per client address a burst of 50 then five a second. The domain's lockout still
// counts bad passwords; this bounds the hashing anyone can make us do.
std::shared_ptr<AttemptLimiter> MakeLoginLimiter() {
  return std::make_shared<AttemptLimiter>(RateLimiter::Options{.rate_per_second = 1.0, .burst = 10.0},
                                          RateLimiter::Options{.rate_per_second = 5.0, .burst = 50.0},
                                          "too many login attempts; try again later");
}

// The actor of a login attempt with a user name that names no user.
constexpr std::string_view kLoginActor = "portal-login";

// A session token's BLAKE2b-256, in lower-case hex.
std::string TokenHashHex(std::string_view token) {
  return HexEncode(TokenHash(token));
}

Problem BadLogin() { return Problem::Unauthenticated("invalid user name or password"); }

// A fixed argon2id hash to verify against when the user name is unknown (same cost).
const std::string& DummyHash() {
  static const std::string hash = [] {
    auto h = HashPassword(RandomToken(16));
    return h.ok() ? *h : std::string();
  }();
  return hash;
}

// `phone`: the user's own (PUT /v1/portal/me), which PortalHome does not carry.
boost::json::object HomeJson(const projections::PortalHome& home, std::string phone) {
  boost::json::object user{{"user_id", home.profile.user_id},
                           {"username", home.profile.username},
                           {"display_name", home.profile.display_name},
                           {"email", home.profile.email},
                           {"phone", std::move(phone)},
                           {"user_type", UserTypeName(home.profile.type)},
                           {"must_reset_password", home.profile.must_reset_password}};
  boost::json::object org{{"org_id", home.org.id},
                          {"name", home.org.name},
                          {"kind", OrgKindName(home.org.kind)},
                          {"access_mode", AccessModeName(home.org.effective_mode)}};
  boost::json::object level{{"level_id", home.level.id}, {"name", home.level.name}};
  boost::json::array caps;
  for (const auto& [capability, scope] : home.capabilities) {
    caps.push_back({{"capability", domain::CapabilityName(capability)},
                    {"scope", domain::ScopeName(scope)}});
  }
  boost::json::object counts{{"open_tasks", home.counts.open_tasks},
                             {"open_quotes", home.counts.open_quotes},
                             {"open_invoices", home.counts.open_invoices}};
  return {{"user", std::move(user)},     {"org", std::move(org)},
          {"level", std::move(level)},   {"capabilities", std::move(caps)},
          {"counts", std::move(counts)}, {"position", home.position.value()}};
}

// The read routes of a portal user share their preamble: the session (401 without one), the
// actor for logs and metrics, min_position, and no unknown query parameter. `read` takes the
// route's own parameters from the QueryReader and builds the reply; an unknown parameter
// still turns the reply into a 400.
using PortalRead = std::function<Response(const projections::ActiveSession& session,
                                          QueryReader& query, RouteContext& context)>;

Handler PortalGet(const AppRouteDeps* d, PortalRead read) {
  return [d, read = std::move(read)](Request& request, RouteContext& context) -> awaitable<Response> {
    auto session = Authenticate(*d, request);
    if (!session.ok()) co_return ProblemResponse(session.problem());
    context.actor = session->user_id;
    context.caller = CallerKind::kPortalUser;
    QueryReader q(request.target());
    if (auto problem = co_await AwaitFresh(q, *d->runner, *d->store, "access")) {
      co_return ProblemResponse(*problem);
    }
    Response reply = read(*session, q, context);
    if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
    co_return reply;
  };
}

// POST /v1/portal/logout ends the very session that authenticates it, so a retry of it
// cannot authenticate any more. Its Idempotency-Key is therefore scoped by the session's
// token (its hash) rather than its user, and looked up before authenticating: a retry with
// the same token and key replays the first reply (holding the token is what makes the retry
// the caller's). The key is not handed to the event store, which scopes keys by user: the
// same key sent from two sessions of one user must end both.
Handler LogoutRoute(const AppRouteDeps* d) {
  Handler logout = [d](Request& request, RouteContext& context) -> awaitable<Response> {
    auto session = Authenticate(*d, request);
    if (!session.ok()) co_return ProblemResponse(session.problem());
    context.actor = session->user_id;
    context.caller = CallerKind::kPortalUser;
    domain::EndSession cmd;
    cmd.session_id = domain::SessionId(session->session_id);
    cmd.reason = schema::SessionEndReason::Logout;
    auto out = co_await d->processor->SubmitAsync(std::move(cmd), PortalActor(*session));
    co_return CommandReply(out);
  };
  return [d, logout = std::move(logout)](Request& request, RouteContext& context) -> awaitable<Response> {
    const auto token = BearerToken(request);
    if (d->idempotency == nullptr || !token) co_return co_await logout(request, context);
    context.caller = CallerKind::kPortalUser;
    context.actor = "session-token:" + TokenHashHex(*token);
    co_return co_await WithIdempotency(*d->idempotency, request, context, logout);
  };
}

// What POST /v1/portal/password and PUT /v1/portal/me need of the caller's own account, read
// in one go.
struct OwnAccount {
  std::string username;  // canonical
  std::string password_hash;
  std::string email;
  bool locked_out = false;
  bool may_update_profile = false;  // holds profile.update now
};

OwnAccount ReadOwnAccount(const AppRouteDeps& d, const std::string& user_id) {
  const std::int64_t now = NowMicros();
  return d.processor->Read([&](const domain::AccessState& state) {
    OwnAccount account;
    if (const auto* user = state.FindUser(user_id)) {
      account = {user->username, user->password_hash, user->email, now < user->locked_until_us,
                 domain::Check(state, *user, domain::Capability::kProfileUpdate, nullptr, now).allowed};
    }
    return account;
  });
}

Problem LockedOut() {
  return Problem::FailedPrecondition(
      "the account is locked out after too many wrong passwords; try again later");
}

// A refused password change (a wrong current password, or any attempt while locked out)
// counts exactly as a failed login, so that a stolen session cannot be used to guess the
// password past the lockout: it is the Login command with the password never verified, which
// records LoginFailed (bad_password, or locked_out while the lockout lasts) and, at the
// threshold, UserLockedOut, and cannot start a session. Replies with `refusal`, or with the
// store's problem when the attempt could not be recorded.
awaitable<Response> RefuseAsFailedLogin(const AppRouteDeps& d, const projections::ActiveSession& session,
                                        const OwnAccount& account, Problem refusal) {
  auto credentials = MakeSessionCredentials();  // required by Login, never used
  domain::Login cmd;
  cmd.username = account.username;
  cmd.password_verified = false;
  cmd.session_id = credentials.session_id;
  cmd.token_hash = credentials.token_hash;
  cmd.user_id = domain::UserId(session.user_id);
  cmd.checked_hash = account.password_hash;
  auto out = co_await d.processor->SubmitAsync(std::move(cmd), PortalActor(session));
  if (!out.ok()) co_return ProblemResponse(Problem::FromStatus(out.status()));
  co_return ProblemResponse(refusal);
}

}  // namespace

void AddPortalRoutes(Router& router, const AppRouteDeps& deps) {
  const auto* d = &deps;
  (void)DummyHash();  // pay for it at start, not on the first unknown user name
  auto limits = MakeLoginLimiter();

  router.Add(Verb::post, "/v1/portal/login",
             [d, limits](Request& request, RouteContext& context) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               auto username = r.RequiredString("username", {.min_length = 1, .max_length = 256});
               auto password = r.RequiredString("password", {.min_length = 1, .max_length = 1024});
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               if (auto problem = limits->Admit(context.remote_address, AttemptLimiter::NameKey(username))) {
                 co_return ProblemResponse(*problem);
               }

               struct Found {
                 std::string user_id;
                 std::string hash;
                 bool must_reset = false;
               };
               const Found found = d->processor->Read([&](const domain::AccessState& state) {
                 Found f;
                 auto canonical = domain::NormaliseUsername(username);
                 if (!canonical.ok()) return f;
                 if (const auto* user = state.FindUserByUsername(*canonical)) {
                   f.user_id = user->id.value();
                   f.hash = user->password_hash;
                   f.must_reset = user->must_reset_password;
                 }
                 return f;
               });
               // An unknown user name costs what a wrong password costs: an argon2id check
               // (against a dummy hash) and a durable LoginFailed (reason UnknownUser).
               const bool verified = co_await OnWorkerPool(*d->pool, [&found, &password] {
                 if (found.hash.empty()) {
                   (void)VerifyPassword(DummyHash(), password);
                   return false;
                 }
                 return VerifyPassword(found.hash, password);
               });

               auto credentials = MakeSessionCredentials();
               domain::Login cmd;
               cmd.username = username;
               cmd.password_verified = verified;
               cmd.session_id = credentials.session_id;
               cmd.token_hash = credentials.token_hash;
               // Decide trusts `verified` only while this is still the user's hash.
               cmd.user_id = domain::UserId(found.user_id);
               cmd.checked_hash = found.hash;
               CommandActor actor;
               actor.kind = found.user_id.empty() ? schema::ActorKind::System : schema::ActorKind::PortalUser;
               actor.id = found.user_id.empty() ? std::string(kLoginActor) : found.user_id;
               auto out = co_await d->processor->SubmitAsync(std::move(cmd), std::move(actor));
               if (!out.ok()) {
                 const auto code = out.status().code();
                 if (code == StatusCode::kUnavailable || code == StatusCode::kInternal ||
                     code == StatusCode::kCorruption) {
                   co_return ProblemResponse(Problem::FromStatus(out.status()));
                 }
                 co_return ProblemResponse(BadLogin());
               }
               const schema::SessionStartedT* started = FindSessionStarted(*out);
               if (started == nullptr) co_return ProblemResponse(BadLogin());
               const Position position = out->position;
               if (auto problem = co_await AwaitSessionVisible(*d, position)) {
                 co_return ProblemResponse(*problem);
               }
               co_return JsonResponse(HttpStatus::ok,
                                      {{"token", credentials.token},
                                       {"session_id", started->session_id},
                                       {"expires_at", started->absolute_expires_at_us},
                                       {"must_reset_password", found.must_reset},
                                       {"position", position.value()}});
             });

  router.Add(Verb::post, "/v1/portal/logout", LogoutRoute(d));

  // Through PortalRoute's Idempotency-Key handling: a retried change replays the first reply
  // (the change keeps the caller's own session, so the retry still authenticates).
  router.Add(Verb::post, "/v1/portal/password",
             PortalRoute(deps, [d, limits](Request& request, RouteContext& context,
                                           const projections::ActiveSession& session) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               auto current = r.RequiredString("current_password", {.min_length = 1, .max_length = 1024});
               auto next = r.RequiredString("new_password", {.min_length = 1, .max_length = 128});
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               if (auto problem = limits->Admit(context.remote_address, "user:" + session.user_id)) {
                 co_return ProblemResponse(*problem);
               }
               const OwnAccount account = ReadOwnAccount(*d, session.user_id);
               if (account.locked_out) co_return co_await RefuseAsFailedLogin(*d, session, account, LockedOut());
               const std::string& hash = account.password_hash;
               const Status policy = d->processor->Read([&](const domain::AccessState& state) {
                 return domain::CheckPasswordPolicy(state.settings, next);
               });
               // Verify the current password and hash the new one on the pool, in one trip.
               auto hashed = co_await OnWorkerPool(
                   *d->pool, [&hash, &current, &next, &policy]() -> Result<std::string> {
                     if (hash.empty() || !VerifyPassword(hash, current)) {
                       return Status::PermissionDenied("the current password is wrong");
                     }
                     if (!policy.ok()) return policy;
                     return HashPassword(next);
                   });
               if (!hashed.ok()) {
                 if (hashed.status().code() == StatusCode::kPermissionDenied) {
                   co_return co_await RefuseAsFailedLogin(
                       *d, session, account,
                       Problem::BadRequest(hashed.status().message()).WithField("current_password"));
                 }
                 if (hashed.status().code() == StatusCode::kInvalidArgument ||
                     hashed.status().code() == StatusCode::kFailedPrecondition) {
                   co_return ProblemResponse(
                       Problem::FromStatus(hashed.status()).WithField("new_password"));
                 }
                 co_return ProblemResponse(Problem::FromStatus(hashed.status()));
               }
               domain::SetPassword cmd;
               cmd.user_id = domain::UserId(session.user_id);
               cmd.password = domain::NewPassword{std::move(next), std::move(hashed).value()};
               cmd.keep_session_id = domain::SessionId(session.session_id);
               // Submit marks the other sessions ended on this node before it returns.
               auto out = co_await d->processor->SubmitAsync(std::move(cmd), PortalActor(session),
                                                             IdempotencyKey(request));
               boost::json::object extra;
               if (out.ok()) extra["ended_sessions"] = out->ended_sessions.size();
               co_return CommandReply(out, std::move(extra));
             }));

  // The caller's own contact details. A new e-mail address is where password-reset links go,
  // so changing it takes the current password, as changing the password does: otherwise a
  // stolen session could move the address to the thief's and take the account over with a
  // reset. Wrong guesses count as failed logins (RefuseAsFailedLogin).
  router.Add(Verb::put, "/v1/portal/me",
             PortalRoute(deps, [d, limits](Request& request, RouteContext& context,
                                           const projections::ActiveSession& session) -> awaitable<Response> {
               auto body = ParseJsonObject(request);
               if (!body.ok()) co_return ProblemResponse(body.problem());
               ObjectReader r(*body);
               domain::UpdateContactDetails cmd;
               cmd.user_id = domain::UserId(session.user_id);
               cmd.display_name = r.RequiredString("display_name", {.min_length = 1, .max_length = 200});
               cmd.email = r.RequiredString("email", {.min_length = 1, .max_length = 254});
               cmd.phone = r.OptionalString("phone", {.max_length = 40}).value_or("");
               auto current = r.OptionalString("current_password", {.min_length = 1, .max_length = 1024});
               if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
               const OwnAccount account = ReadOwnAccount(*d, session.user_id);
               // Without profile.update the command is refused as it stands: no password asked.
               if (cmd.email != account.email && account.may_update_profile) {
                 if (!current) {
                   co_return ProblemResponse(
                       Problem::BadRequest("changing the e-mail address needs the current password")
                           .WithField("current_password"));
                 }
                 if (auto problem = limits->Admit(context.remote_address, "user:" + session.user_id)) {
                   co_return ProblemResponse(*problem);
                 }
                 if (account.locked_out) co_return co_await RefuseAsFailedLogin(*d, session, account, LockedOut());
                 const std::string& hash = account.password_hash;
                 const bool verified = co_await OnWorkerPool(
                     *d->pool, [&hash, &current] { return !hash.empty() && VerifyPassword(hash, *current); });
                 if (!verified) {
                   co_return co_await RefuseAsFailedLogin(
                       *d, session, account,
                       Problem::BadRequest("the current password is wrong").WithField("current_password"));
                 }
               }
               auto out = co_await d->processor->SubmitAsync(std::move(cmd), PortalActor(session),
                                                             IdempotencyKey(request));
               co_return CommandReply(out);
             }));

  router.Add(Verb::get, "/v1/portal/me",
             PortalGet(d, [d](const projections::ActiveSession& session, QueryReader& /*query*/,
                              RouteContext& /*context*/) -> Response {
               projections::PortalView view(*d->access);
               auto home = view.Home(domain::UserId(session.user_id), NowMicros());
               if (!home.ok()) return ProblemResponse(BadSession());
               std::string phone = d->access->Read([&](const projections::AccessIndex& index) {
                 const auto* user = index.state().FindUser(session.user_id);
                 return user == nullptr ? std::string() : user->phone;
               });
               return JsonResponse(HttpStatus::ok, HomeJson(*home, std::move(phone)));
             }));

  // The caller's own active sessions; "current" marks the one making the request, and
  // "impersonated_by" names the staff key of a "log in as client" session.
  router.Add(Verb::get, "/v1/portal/sessions",
             PortalGet(d, [d](const projections::ActiveSession& session, QueryReader& /*query*/,
                              RouteContext& /*context*/) -> Response {
               boost::json::array sessions;
               for (const auto& s : d->sessions->UserSessions(domain::UserId(session.user_id), NowMicros())) {
                 auto json = SessionJson(s);
                 json["current"] = s.session_id == session.session_id;
                 sessions.push_back(std::move(json));
               }
               return JsonResponse(HttpStatus::ok, {{"sessions", std::move(sessions)}});
             }));

  router.Add(Verb::get, "/v1/portal/resources",
             PortalGet(d, [d](const projections::ActiveSession& session, QueryReader& q,
                              RouteContext& /*context*/) -> Response {
               auto type = q.OptionalString("type", kId);
               auto status = q.OptionalString("status", kId);
               std::optional<schema::ResourceType> parsed_type;
               std::optional<schema::ResourceStatus> parsed_status;
               if (type) {
                 parsed_type = domain::ParseResourceType(*type);
                 if (!parsed_type) {
                   return ProblemResponse(
                       Problem::BadRequest("unknown resource type '" + *type + "'").WithField("type"));
                 }
               }
               if (status) {
                 parsed_status = domain::ParseResourceStatus(*status);
                 if (!parsed_status) {
                   return ProblemResponse(
                       Problem::BadRequest("unknown status '" + *status + "'").WithField("status"));
                 }
               }
               boost::json::array resources;
               for (const auto& resource : d->access->ListVisibleResources(
                        domain::UserId(session.user_id),
                        projections::ResourceFilter::Of(parsed_type, parsed_status), NowMicros())) {
                 resources.push_back(ResourceJson(resource));
               }
               return JsonResponse(HttpStatus::ok, {{"resources", std::move(resources)}});
             }));

  router.Add(Verb::get, "/v1/portal/resources/{id}",
             PortalGet(d, [d](const projections::ActiveSession& session, QueryReader& /*query*/,
                              RouteContext& context) -> Response {
               const std::string id(context.Param("id"));
               auto resource = d->access->GetVisibleResource(domain::UserId(session.user_id),
                                                             domain::ResourceId(id), NowMicros());
               if (!resource) return ProblemResponse(Problem::NotFound("no resource '" + id + "'"));
               return JsonResponse(HttpStatus::ok, ResourceJson(*resource));
             }));

  router.Add(Verb::get, "/v1/portal/resources/{id}/notes",
             PortalGet(d, [d](const projections::ActiveSession& session, QueryReader& /*query*/,
                              RouteContext& context) -> Response {
               const std::string id(context.Param("id"));
               auto notes = d->access->VisibleNotes(domain::UserId(session.user_id),
                                                    domain::ResourceId(id), NowMicros());
               if (!notes) return ProblemResponse(Problem::NotFound("no resource '" + id + "'"));
               boost::json::array out;
               for (const auto& note : *notes) out.push_back(NoteJson(note));
               return JsonResponse(HttpStatus::ok, {{"notes", std::move(out)}});
             }));
}

}  // namespace portico::gateway
