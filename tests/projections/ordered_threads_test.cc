// The runner's read-ahead and lanes (projections/ordered_threads.h): order, bounds and ends.
#include "projections/ordered_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace portico::projections {
namespace {

// Items are "batches" of 10 positions starting where asked; the read-ahead stops after 100.
std::optional<std::uint64_t> NextOfTen(const std::uint64_t& first) {
  if (first + 10 > 100) return std::nullopt;
  return first + 10;
}

// A read-ahead of those from position 1, three ahead, counting its reads.
ReadAhead<std::uint64_t> CountingReadAhead(std::atomic<int>& reads) {
  return ReadAhead<std::uint64_t>(
      [&reads](std::uint64_t at) {
        ++reads;
        return at;
      },
      NextOfTen, 1, 3, "test-readahead");
}

TEST(ReadAheadTest, HandsOverEveryItemInOrderAndStopsWhereNextSays) {
  std::atomic<int> reads{0};
  ReadAhead<std::uint64_t> ahead = CountingReadAhead(reads);
  for (std::uint64_t expected = 1; expected <= 91; expected += 10) EXPECT_EQ(ahead.Take(), expected);
  EXPECT_EQ(reads.load(), 10) << "nothing is read beyond what next() names";
}

TEST(ReadAheadTest, ReadsNoMoreThanItsDepthAheadAndStopsWhenDestroyed) {
  std::atomic<int> reads{0};
  {
    ReadAhead<std::uint64_t> ahead = CountingReadAhead(reads);
    EXPECT_EQ(ahead.Take(), 1u);
    // The reader fills up to three waiting items, then waits for a Take.
    for (int i = 0; i < 200 && reads.load() < 4; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(reads.load(), 4) << "one taken, three ahead";
  }  // destroyed with three items not taken: the reader stops instead of reading on
  EXPECT_EQ(reads.load(), 4);
}

TEST(OrderedWorkerTest, WorksOffEveryItemInThePushedOrderBeforeFinishing) {
  std::vector<int> done;  // only the worker's thread writes it until Finish() returns
  OrderedWorker<int> worker(
      [&](int& item) {
        if (item % 7 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        done.push_back(item);
      },
      2, "test-worker");
  std::vector<int> pushed;
  for (int i = 0; i < 100; ++i) {
    worker.Push(i);  // waits whenever two are queued
    pushed.push_back(i);
  }
  worker.Finish();
  EXPECT_EQ(done, pushed);
}

TEST(OrderedWorkerTest, PushWaitsWhileTheQueueIsFull) {
  std::atomic<bool> release{false};
  std::atomic<int> started{0};
  OrderedWorker<int> worker(
      [&](int&) {
        ++started;
        while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      },
      1, "test-worker");
  worker.Push(1);  // taken by the worker, which then blocks in it
  for (int i = 0; i < 200 && started.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(started.load(), 1);
  worker.Push(2);  // queued: the queue is now full
  std::atomic<bool> third_pushed{false};
  std::thread pusher([&] {
    worker.Push(3);
    third_pushed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(third_pushed.load()) << "a third item was queued beyond the bound of one";
  release = true;
  pusher.join();
  EXPECT_TRUE(third_pushed.load());
  worker.Finish();
  EXPECT_EQ(started.load(), 3);
}

}  // namespace
}  // namespace portico::projections
