#include "gateway/app/stream_quota.h"

#include <utility>

namespace portico::gateway {

StreamQuota::Lease::Lease(Lease&& other) noexcept
    : quota_(std::exchange(other.quota_, nullptr)), caller_(std::move(other.caller_)) {}

StreamQuota::Lease::~Lease() {
  if (quota_ != nullptr) quota_->Release(caller_);
}

std::optional<StreamQuota::Lease> StreamQuota::TryAcquire(const std::string& caller) {
  std::lock_guard lock(mutex_);
  const auto it = open_.find(caller);
  if ((it == open_.end() ? 0 : it->second) >= per_caller_) return std::nullopt;
  ++open_[caller];
  return Lease(this, caller);
}

void StreamQuota::Release(const std::string& caller) {
  std::lock_guard lock(mutex_);
  auto it = open_.find(caller);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
}

}  // namespace portico::gateway
