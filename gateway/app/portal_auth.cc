#include "gateway/app/portal_auth.h"

#include <sodium.h>

#include <cstring>
#include <vector>

#include "common/hex.h"
#include "gateway/http/auth.h"
#include "gateway/app/json_views.h"
#include "gateway/http/freshness.h"

namespace portico::gateway {

schemas::Hash TokenHash(std::string_view token) {
  schemas::Hash hash{};
  crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return hash;
}

std::string RandomToken(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string RandomHex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  return HexEncode(raw.data(), raw.size());
}

NewSessionCredentials MakeSessionCredentials() {
  NewSessionCredentials out;
  out.token = RandomToken(32);
  out.token_hash = TokenHash(out.token);
  out.session_id = domain::SessionId("s_" + RandomHex(16));
  return out;
}

const schema::SessionStartedT* FindSessionStarted(const CommandOutcome& outcome) {
  const schema::SessionStartedT* started = nullptr;
  for (const auto& event : outcome.events) {
    if (const auto* s = event.body.AsSessionStarted()) started = s;
  }
  return started;
}

boost::asio::awaitable<std::optional<Problem>> AwaitSessionVisible(const AppRouteDeps& deps,
                                                                   Position position) {
  constexpr std::chrono::milliseconds kVisibleWait{2000};
  // Polled on a timer rather than waited for on the worker pool, whose threads hash the
  // passwords of other logins.
  const PositionReached applied = AppliedBy(*deps.runner, "access");
  const bool visible = co_await PollUntilReached(applied, position, kVisibleWait);
  if (visible) co_return std::nullopt;
  co_return Problem::Unavailable("the session is not yet visible");
}

namespace {

// The read model may not have applied the user's password change yet (the very next request
// after POST /v1/portal/password); the write model of this node has. Asked only for users the
// read model says must reset, so other requests never wait on the command pipeline's lock.
bool MustResetNow(const AppRouteDeps& deps, const std::string& user_id) {
  return deps.processor->Read([&user_id](const domain::AccessState& state) {
    const auto* user = state.FindUser(user_id);
    return user == nullptr || user->must_reset_password;
  });
}

}  // namespace

Problem BadSession() { return Problem::Unauthenticated("missing, invalid or expired session token"); }

ProblemOr<projections::ActiveSession> AuthenticateToken(const AppRouteDeps& deps, std::string_view token,
                                                       bool password_change_allowed) {
  const auto now = NowMicros();
  auto check = deps.sessions->Validate(TokenHash(token), now);
  if (!check.valid()) return BadSession();
  deps.sessions->Touch(domain::SessionId(check.session.session_id), now);
  if (!password_change_allowed && MustChangePasswordNow(deps, check.session)) return PasswordChangeRequired();
  return std::move(check.session);
}

ProblemOr<projections::ActiveSession> Authenticate(const AppRouteDeps& deps, const Request& request) {
  auto token = BearerToken(request);
  if (!token) return BadSession();
  return AuthenticateToken(deps, *token, PasswordChangeAllowed(request));
}

bool PasswordChangeAllowed(const Request& request) {
  using boost::beast::http::verb;
  std::string_view path = request.target();
  path = path.substr(0, path.find('?'));
  switch (request.method()) {
    case verb::get: return path == "/v1/portal/me";
    case verb::post: return path == "/v1/portal/password" || path == "/v1/portal/logout";
    default: return false;
  }
}

Problem PasswordChangeRequired() {
  Problem problem;
  problem.status = 403;
  problem.type = "urn:portico:problem:password-change-required";
  problem.title = "Password change required";
  problem.detail =
      "this user must change its password first (POST /v1/portal/password); until then only "
      "GET /v1/portal/me and POST /v1/portal/logout are allowed";
  return problem;
}

bool MustChangePasswordNow(const AppRouteDeps& deps, const projections::ActiveSession& session) {
  return session.must_reset_password && MustResetNow(deps, session.user_id);
}

CommandActor PortalActor(const projections::ActiveSession& session) {
  return CommandActor{schema::ActorKind::PortalUser, session.user_id, session.impersonated_by};
}

}  // namespace portico::gateway
