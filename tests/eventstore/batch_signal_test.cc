// BatchSignal: blocking appenders sleep per epoch parity and are woken a batch at a time.
#include "eventstore/batch_signal.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace portico::eventstore {
namespace {

TEST(BatchSignalTest, WaitReturnsAtOnceWhenAlreadyFinished) {
  BatchSignal signal;
  std::atomic<bool> finished{true};
  signal.Wait(7, finished);
}

TEST(BatchSignalTest, WaitersOfSuccessiveEpochsAreAllWokenWithTheirValues) {
  // Like the writer: epochs in order, each with several waiters whose results are written
  // before their flags are set and their epoch is notified.
  constexpr int kEpochs = 200;
  constexpr int kWaitersPerEpoch = 4;
  BatchSignal signal;
  struct Slot {
    int value = 0;
    std::atomic<bool> finished{false};
  };
  std::vector<std::unique_ptr<Slot>> slots;
  for (int i = 0; i < kEpochs * kWaitersPerEpoch; ++i) slots.push_back(std::make_unique<Slot>());
  std::vector<int> seen(slots.size(), -1);
  std::vector<std::thread> waiters;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    waiters.emplace_back([&, i] {
      signal.Wait(i / kWaitersPerEpoch, slots[i]->finished);
      seen[i] = slots[i]->value;
    });
  }
  for (int epoch = 0; epoch < kEpochs; ++epoch) {
    for (int w = 0; w < kWaitersPerEpoch; ++w) {
      Slot& slot = *slots[epoch * kWaitersPerEpoch + w];
      slot.value = epoch + 1;
      slot.finished.store(true, std::memory_order_release);
    }
    signal.Notify(epoch);
  }
  for (auto& waiter : waiters) waiter.join();
  for (std::size_t i = 0; i < slots.size(); ++i) {
    ASSERT_EQ(seen[i], static_cast<int>(i / kWaitersPerEpoch) + 1) << "waiter " << i;
  }
}

}  // namespace
}  // namespace portico::eventstore
