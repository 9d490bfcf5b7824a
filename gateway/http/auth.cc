#include "gateway/http/auth.h"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <cctype>

#include "gateway/http/response.h"

namespace portico::gateway {

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
  const auto body_end = token.find_last_not_of('=');
  if (body_end == std::string_view::npos) return std::nullopt;
  const bool valid = std::all_of(token.begin(), token.begin() + body_end + 1, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
           c == '~' || c == '+' || c == '/';
  });
  if (!valid) return std::nullopt;
  return token;
}

Handler RequireStaff(const StaffKeys& keys, Handler inner) {
  return [&keys, inner = std::move(inner)](
             Request& request, RouteContext& context) -> boost::asio::awaitable<Response> {
    auto token = BearerToken(request);
    std::optional<std::string> name = token ? keys.Authenticate(*token) : std::nullopt;
    if (!name) co_return ProblemResponse(Problem::Unauthenticated("a valid staff key is required"));
    context.actor = std::move(*name);
    context.caller = CallerKind::kStaff;
    co_return co_await inner(request, context);
  };
}

}  // namespace portico::gateway
