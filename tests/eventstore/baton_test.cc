// Baton: a one-shot wake-up that may be destroyed as soon as Wait returns.
#include "eventstore/baton.h"

#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace portico::eventstore {
namespace {

TEST(BatonTest, PostBeforeWaitReturnsAtOnce) {
  Baton baton;
  baton.Post();
  baton.Wait();
}

TEST(BatonTest, WaitSeesWhatWasWrittenBeforePost) {
  // Many rounds of: a thread waits on a baton on its stack; another writes a value and posts.
  constexpr int kRounds = 2000;
  for (int round = 0; round < kRounds; ++round) {
    int value = 0;
    Baton baton;
    std::thread poster([&] {
      value = round + 1;
      baton.Post();
    });
    baton.Wait();
    ASSERT_EQ(value, round + 1);
    poster.join();
  }
}

TEST(BatonTest, ManyWaitersEachWokenOnce) {
  constexpr int kWaiters = 32;
  std::vector<std::unique_ptr<Baton>> batons;
  for (int i = 0; i < kWaiters; ++i) batons.push_back(std::make_unique<Baton>());
  std::vector<int> seen(kWaiters, 0);
  std::vector<std::thread> waiters;
  for (int i = 0; i < kWaiters; ++i) {
    waiters.emplace_back([&, i] {
      batons[i]->Wait();
      ++seen[i];
    });
  }
  for (int i = kWaiters - 1; i >= 0; --i) batons[i]->Post();
  for (auto& waiter : waiters) waiter.join();
  EXPECT_EQ(seen, std::vector<int>(kWaiters, 1));
}

}  // namespace
}  // namespace portico::eventstore
