#include "eventstore/batch_signal.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

namespace portico::eventstore {
namespace {

void Futex(std::atomic<std::uint32_t>* word, int op, std::uint32_t value) {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  (void)syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), op, value, nullptr, nullptr, 0);
}

}  // namespace

void BatchSignal::Notify(std::uint64_t epoch) {
  std::atomic<std::uint32_t>& word = words_[epoch & 1];
  word.fetch_add(1, std::memory_order_release);
  Futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX);
}

void BatchSignal::Wait(std::uint64_t epoch, const std::atomic<bool>& finished) {
  std::atomic<std::uint32_t>& word = words_[epoch & 1];
  for (;;) {
    // Read the generation before the flag: a Notify after this read changes the word, so
    // FUTEX_WAIT returns at once instead of sleeping through it.
    const std::uint32_t generation = word.load(std::memory_order_acquire);
    if (finished.load(std::memory_order_acquire)) return;
    Futex(&word, FUTEX_WAIT_PRIVATE, generation);
  }
}

}  // namespace portico::eventstore
