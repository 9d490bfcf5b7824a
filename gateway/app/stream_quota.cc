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
  std::size_t& open = open_[caller];
  if (open >= per_caller_) {
    if (open == 0) open_.erase(caller);  // a zero quota: keep the map free of idle entries
    return std::nullopt;
  }
  ++open;
  return Lease(this, caller);
}

void StreamQuota::Release(const std::string& caller) {
  std::lock_guard lock(mutex_);
  auto it = open_.find(caller);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
}

}  // namespace portico::gateway
