#include "gateway/app/attempt_limiter.h"

#include <utility>

#include "domain/validate.h"

namespace portico::gateway {

AttemptLimiter::AttemptLimiter(RateLimiter::Options per_user, RateLimiter::Options per_address,
                               std::string refusal)
    : by_user_(per_user), by_address_(per_address), refusal_(std::move(refusal)) {}

std::optional<Problem> AttemptLimiter::Admit(std::string_view address, std::string_view user) {
  const auto now = RateLimiter::Clock::now();
  RateLimiter::Decision decision;
  if (!user.empty()) decision = by_user_.Acquire(user, now);
  if (decision.allowed) decision = by_address_.Acquire(address, now);
  if (decision.allowed) return std::nullopt;
  return Problem::TooManyRequests(refusal_, decision.retry_after);
}

std::string AttemptLimiter::NameKey(std::string_view username) {
  auto canonical = domain::NormaliseUsername(username);
  return "name:" + (canonical.ok() ? *canonical : std::string(username));
}

}  // namespace portico::gateway
