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

}  // namespace portico::eventstore
