#include "gateway/http/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>

namespace portico::gateway {

RateLimiter::RateLimiter(Options options)
    : options_(options), max_per_shard_(std::max<std::size_t>(options.max_keys / kShards, 1)) {}

void RateLimiter::Refill(Bucket& bucket, Clock::time_point now) const {
  if (now <= bucket.updated) return;
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(options_.burst, bucket.tokens + elapsed * options_.rate_per_second);
  bucket.updated = now;
}

void RateLimiter::MakeRoom(Shard& shard, Clock::time_point now) const {
  for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
    Refill(it->second, now);
    it = it->second.tokens >= options_.burst ? shard.buckets.erase(it) : std::next(it);
  }
  if (shard.buckets.size() < max_per_shard_) return;
  auto oldest = std::min_element(
      shard.buckets.begin(), shard.buckets.end(),
      [](const auto& a, const auto& b) { return a.second.updated < b.second.updated; });
  shard.buckets.erase(oldest);
}

RateLimiter::Decision RateLimiter::Acquire(std::string_view key, Clock::time_point now,
                                           double cost) {
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(std::string(key));
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) MakeRoom(shard, now);
    it = shard.buckets.emplace(std::string(key), Bucket{options_.burst, now}).first;
  }
  Bucket& bucket = it->second;
  Refill(bucket, now);
  if (bucket.tokens >= cost) {
    bucket.tokens -= cost;
    return {};
  }
  const double wait = (cost - bucket.tokens) / options_.rate_per_second;
  const auto seconds = static_cast<std::int64_t>(std::ceil(wait));
  return {false, std::chrono::seconds(std::max<std::int64_t>(seconds, 1))};
}

std::size_t RateLimiter::size() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.buckets.size();
  }
  return total;
}

}  // namespace portico::gateway
