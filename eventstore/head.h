// Internal: the durable head of the log (its last position and that event's hash), published
// by the group-commit writer after each durable batch and waited on by readers.
//
// Thread safety: Publish is called by one thread at a time (the writer, or Open before the
// writer starts); the others from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "common/strong_type.h"
#include "eventstore/keys.h"

namespace portico::eventstore {

class HeadState {
 public:
  HeadState() = default;
  HeadState(const HeadState&) = delete;
  HeadState& operator=(const HeadState&) = delete;

  // Makes `head` current and wakes every waiter. Positions only grow.
  void Publish(const HeadRecord& head);

  Position position() const { return Position(position_.load(std::memory_order_acquire)); }
  // The position and hash, read together.
  HeadRecord record() const;

  // Blocks until position() > after or `timeout` passes; returns the head it saw last.
  Position WaitForPositionAfter(Position after, std::chrono::milliseconds timeout) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable advanced_;
  std::atomic<std::uint64_t> position_{0};  // written under mutex_, read without it
  schemas::Hash hash_{};                    // GUARDED_BY(mutex_)
};

}  // namespace portico::eventstore
