// Internal: a one-shot wake-up from one thread to one waiting thread, on a Linux futex.
//
// Why not std::binary_semaphore or a condition variable: libstdc++'s semaphore spins and
// calls sched_yield before sleeping, and a condition variable notified under its mutex makes
// the woken thread collide with the notifier on that mutex. With many more appenders than
// cores, every extra context switch costs throughput. Wait here sleeps at once; Post makes at
// most one system call, and none when the waiter has not gone to sleep yet.
//
// Lifetime: the Baton may be destroyed as soon as Wait returns, even while Post is still in
// its wake-up call: after its atomic exchange Post no longer touches the object
// (FUTEX_WAKE uses the address only as a key). Post at most once per Baton.
#pragma once

#include <atomic>
#include <cstdint>

namespace portico::eventstore {

class Baton {
 public:
  Baton() = default;
  Baton(const Baton&) = delete;
  Baton& operator=(const Baton&) = delete;

  // Wakes the waiter, or lets its Wait return at once. Release semantics: what the poster
  // wrote before Post is visible to the waiter after Wait.
  void Post();
  // Blocks until Post has been called.
  void Wait();

 private:
  enum State : std::uint32_t { kIdle = 0, kSleeping = 1, kPosted = 2 };
  std::atomic<std::uint32_t> state_{kIdle};
};

}  // namespace portico::eventstore
