// Internal: the durable head of the log (its last position and that event's hash), published
// by the group-commit writer after each durable batch and waited on by readers.
//
// The writer answers a batch's appends as soon as the batch is durable, which can be before
// RocksDB's reads see it (wal_sync_watch.h). It calls Acknowledge first, and Publish once
// reads see the batch. A read that must see every answered append (any read of the store's
// API: an appender may read right after its answer) calls AwaitAcknowledged first.
//
// Thread safety: Publish, Acknowledge and Break are called by one thread at a time (the
// writer, or Open before the writer starts); the others from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "common/status.h"
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

  // Appends up to `position` have been answered: durable, but maybe not yet published.
  void Acknowledge(Position position) {
    acknowledged_.store(position.value(), std::memory_order_release);
  }
  // Blocks until every acknowledged append is published (usually at once: the writer
  // publishes about 0.1 ms after it acknowledges). Fails, without blocking, once the log is
  // broken.
  Status AwaitAcknowledged() const;
  // Acknowledged appends will never be published (RocksDB failed after making them durable):
  // AwaitAcknowledged fails with `why` from now on.
  void Break(Status why);

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable advanced_;
  std::atomic<std::uint64_t> position_{0};  // written under mutex_, read without it
  schemas::Hash hash_{};                    // GUARDED_BY(mutex_)
  std::atomic<std::uint64_t> acknowledged_{0};
  bool broken_ = false;    // GUARDED_BY(mutex_)
  Status broken_status_;  // GUARDED_BY(mutex_)
};

}  // namespace portico::eventstore
