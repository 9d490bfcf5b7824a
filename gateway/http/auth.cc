#include "gateway/http/auth.h"

#include <algorithm>
#include <boost/beast/core/string.hpp>

#include "gateway/http/response.h"

namespace portico::gateway {

namespace {

// Visible ASCII (0x21-0x7E): every character a staff key may have (staff_keys.h), a superset
// of RFC 6750's b64token. Tokens are only ever hashed and looked up, so the wider set is safe.
bool IsTokenCharacter(char c) { return c > 0x20 && c < 0x7f; }

}  // namespace

std::optional<std::string_view> BearerToken(const Request& request) {
  auto header = request[boost::beast::http::field::authorization];
  std::string_view value(header.data(), header.size());
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() ||
      !boost::beast::iequals(value.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  std::string_view token = value.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.empty() || !std::all_of(token.begin(), token.end(), IsTokenCharacter)) {
    return std::nullopt;
  }
  return token;
}

std::optional<std::string> StaffGuard::Authenticate(const Request& request) const {
  auto token = BearerToken(request);
  return token ? keys_->Authenticate(*token) : std::nullopt;
}

boost::asio::awaitable<Response> StaffGuard::operator()(Request& request,
                                                        RouteContext& context) const {
  std::optional<std::string> name = Authenticate(request);
  if (!name) co_return ProblemResponse(StaffKeyRequired());
  context.actor = std::move(*name);
  context.caller = CallerKind::kStaff;
  co_return co_await inner_(request, context);
}

Problem StaffKeyRequired() { return Problem::Unauthenticated("a valid staff key is required"); }

Handler RequireStaff(const StaffKeys& keys, Handler inner) {
  return StaffGuard(keys, std::move(inner));
}

std::optional<Problem> RefuseBeforeBody(const Route& route, const Request& header) {
  if (route.options.body_limit <= kDefaultBodyLimit) return std::nullopt;
  const auto* guard = route.handler.target<StaffGuard>();
  if (guard == nullptr || guard->Authenticate(header)) return std::nullopt;
  return StaffKeyRequired();
}

}  // namespace portico::gateway
