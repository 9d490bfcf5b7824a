// Token-bucket rate limiting, keyed by string (a user name, a client address).
//
// Each key has a bucket holding up to `burst` tokens, refilled at `rate_per_second`; a
// request takes `cost` tokens (default 1) when the bucket holds them, and is denied
// otherwise, with the whole seconds after which it would be allowed (at least 1): the 429's
// Retry-After. Time is passed in (`now`), so callers and tests control the clock.
//
// Memory is bounded: at most about `max_keys` buckets are kept. When a shard is full, buckets
// that have refilled completely are dropped first (a full bucket is the same as no bucket);
// if none has, the least recently used one is. Thread-safe: keys are spread over mutex-guarded
// shards.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace portico::gateway {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    double rate_per_second = 1.0;
    double burst = 10.0;
    std::size_t max_keys = 100'000;
  };

  struct Decision {
    bool allowed = true;
    std::chrono::seconds retry_after{0};  // set when denied
  };

  explicit RateLimiter(Options options);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  Decision Acquire(std::string_view key, Clock::time_point now = Clock::now(), double cost = 1.0);

  // Buckets currently kept (for tests and metrics).
  std::size_t size() const;

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Bucket> buckets;  // GUARDED_BY(mutex)
  };
  static constexpr std::size_t kShards = 16;

  void Refill(Bucket& bucket, Clock::time_point now) const;
  void MakeRoom(Shard& shard, Clock::time_point now) const;  // REQUIRES(shard.mutex)

  const Options options_;
  const std::size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace portico::gateway
