// Attempts that cost us argon2id work or guess at secrets (logins, password checks, password
// resets), limited twice before any of that work: per user and per client address (many users
// may share one address behind NAT). Beyond either bucket: 429 with Retry-After.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gateway/http/problem.h"
#include "gateway/http/rate_limiter.h"

namespace portico::gateway {

class AttemptLimiter {
 public:
  // `refusal` is the 429's detail ("too many login attempts; try again later").
  AttemptLimiter(RateLimiter::Options per_user, RateLimiter::Options per_address, std::string refusal);

  // The 429, or nothing when both buckets allow the attempt. An attempt refused for its user
  // takes nothing from its address's bucket; an attempt with no user (`user` empty) counts
  // against its address only.
  std::optional<Problem> Admit(std::string_view address, std::string_view user);

  // The user key of a typed user name: its canonical form, or the name as typed when it has
  // none, so that spellings of one name share a bucket.
  static std::string NameKey(std::string_view username);

 private:
  RateLimiter by_user_;
  RateLimiter by_address_;
  std::string refusal_;
};

}  // namespace portico::gateway
