#include "eventstore/head.h"

namespace portico::eventstore {

void HeadState::Publish(const HeadRecord& head) {
  {
    std::lock_guard lock(mutex_);
    hash_ = head.hash;
    position_.store(head.position.value(), std::memory_order_release);
  }
  advanced_.notify_all();
}

HeadRecord HeadState::record() const {
  std::lock_guard lock(mutex_);
  return HeadRecord{Position(position_.load(std::memory_order_relaxed)), hash_};
}

Position HeadState::WaitForPositionAfter(Position after, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  advanced_.wait_for(lock, timeout, [&] { return position_.load() > after.value(); });
  return Position(position_.load());
}

Status HeadState::AwaitAcknowledged() const {
  const std::uint64_t acknowledged = acknowledged_.load(std::memory_order_acquire);
  if (position_.load(std::memory_order_acquire) >= acknowledged) return Status::Ok();
  std::unique_lock lock(mutex_);
  advanced_.wait(lock, [&] { return position_.load() >= acknowledged || broken_; });
  if (position_.load() >= acknowledged) return Status::Ok();
  return broken_status_;
}

void HeadState::Break(Status why) {
  {
    std::lock_guard lock(mutex_);
    broken_status_ = std::move(why);
    broken_ = true;
  }
  advanced_.notify_all();
}

}  // namespace portico::eventstore
