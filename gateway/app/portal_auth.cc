#include "gateway/app/portal_auth.h"

#include <sodium.h>

#include "gateway/http/auth.h"

#include <cstring>
#include <vector>

namespace portico::gateway {

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
  std::string out(bytes * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), raw.data(), raw.size());
  out.resize(bytes * 2);
  return out;
}

schemas::Hash TokenHash(std::string_view token) {
  schemas::Hash hash{};
  crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return hash;
}

Problem BadSession() { return Problem::Unauthenticated("missing, invalid or expired session token"); }

ProblemOr<projections::ActiveSession> Authenticate(const AppRouteDeps& deps, const Request& request) {
  auto token = BearerToken(request);
  if (!token) return BadSession();
  const auto now = NowMicros();
  auto check = deps.sessions->Validate(TokenHash(*token), now);
  if (!check.valid()) return BadSession();
  deps.sessions->Touch(domain::SessionId(check.session.session_id), now);
  return std::move(check.session);
}

CommandActor PortalActor(const projections::ActiveSession& session) {
  return CommandActor{schema::ActorKind::PortalUser, session.user_id, session.impersonated_by};
}

}  // namespace portico::gateway
