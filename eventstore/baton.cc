#include "eventstore/baton.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace portico::eventstore {
namespace {

long Futex(std::atomic<std::uint32_t>* word, int op, std::uint32_t value) {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  return syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), op, value, nullptr, nullptr, 0);
}

}  // namespace

void Baton::Post() {
  if (state_.exchange(kPosted, std::memory_order_acq_rel) == kSleeping) {
    (void)Futex(&state_, FUTEX_WAKE_PRIVATE, 1);
  }
}

void Baton::Wait() {
  std::uint32_t expected = kIdle;
  if (!state_.compare_exchange_strong(expected, kSleeping, std::memory_order_acquire)) {
    return;  // already posted
  }
  // FUTEX_WAIT returns at once when the word is no longer kSleeping; wake-ups meant for a
  // previous Baton at the same address are spurious and loop.
  while (state_.load(std::memory_order_acquire) != kPosted) {
    (void)Futex(&state_, FUTEX_WAIT_PRIVATE, kSleeping);
  }
}

}  // namespace portico::eventstore
