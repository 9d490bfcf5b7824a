// Internal: how blocking appenders wait for their batch, and how the writer wakes them all
// with one system call (a Linux futex per epoch parity).
//
// Appends are taken from the writer's queue in epochs: every append queued between two
// takes belongs to the same epoch, and the writer finishes an epoch before it takes the
// next. A blocking appender sets a flag from its append's callback and sleeps on the word of
// its epoch's parity; after running the callbacks of a batch, the writer bumps that word and
// wakes every sleeper on it at once. Appenders of the next epoch sleep on the other word and
// are not disturbed; those of the epoch after that can only exist once this one is done.
//
// Waking one batch costs one futex call however many appenders it holds; waking each
// appender separately costs a system call each, which dominates a batch on a small VM.
//
// Lifetime: a waiter's flag may be destroyed as soon as Wait returns: the writer's last touch
// of it is setting it, before Notify.
#pragma once

#include <atomic>
#include <cstdint>

namespace portico::eventstore {

class BatchSignal {
 public:
  BatchSignal() = default;
  BatchSignal(const BatchSignal&) = delete;
  BatchSignal& operator=(const BatchSignal&) = delete;

  // Wakes every waiter of `epoch` (the writer, after setting their flags).
  void Notify(std::uint64_t epoch);
  // Blocks until `finished` is true. It must become true before Notify(epoch) is called.
  void Wait(std::uint64_t epoch, const std::atomic<bool>& finished);

 private:
  std::atomic<std::uint32_t> words_[2] = {};  // a generation counter per epoch parity
};

}  // namespace portico::eventstore
