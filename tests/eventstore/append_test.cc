// Appends: expected versions, atomicity, validation, races, idempotency, group commit.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <latch>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "eventstore/event_store.h"
#include "eventstore/store_testing.h"

namespace portico::eventstore {
namespace {

using testing::NoteEnvelope;
using testing::Notes;
using testing::TempDir;
using testing::TestOptions;

class AppendTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    auto opened = EventStore::Open(TestOptions(dir_.path()));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  Result<AppendResult> AppendNote(const std::string& stream, ExpectedVersion expected,
                                  const std::string& text = "hello") {
    return store_->Append(StreamId(stream), expected, Notes(stream, {text}));
  }

  TempDir dir_;
  std::unique_ptr<EventStore> store_;
};

// Collects AppendAsync results, in the order the callbacks ran.
class Collector {
 public:
  EventStore::AppendCallback Slot(std::size_t index) {
    return [this, index](Result<AppendResult> result) {
      std::lock_guard lock(mutex_);
      results_.emplace_back(index, std::move(result));
      if (results_.size() == expected_) all_done_.notify_all();
    };
  }
  void Expect(std::size_t n) { expected_ = n; }
  // Results indexed by slot, once all have arrived.
  std::vector<Result<AppendResult>> Wait() {
    std::unique_lock lock(mutex_);
    all_done_.wait(lock, [&] { return results_.size() == expected_; });
    std::vector<Result<AppendResult>> out(expected_, Status::Internal("missing"));
    for (auto& [index, result] : results_) out[index] = std::move(result);
    return out;
  }

 private:
  std::mutex mutex_;
  std::condition_variable all_done_;
  std::size_t expected_ = 0;
  std::vector<std::pair<std::size_t, Result<AppendResult>>> results_;
};

TEST_F(AppendTest, FirstAppendGetsPositionOneAndVersionOne) {
  auto result = AppendNote("user:u1", ExpectedVersion::NoStream());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->first_position, Position(1));
  EXPECT_EQ(result->last_position, Position(1));
  EXPECT_EQ(result->stream_version, StreamVersion(1));
  EXPECT_FALSE(result->deduplicated);
  EXPECT_EQ(store_->Head(), Position(1));
  auto version = store_->CurrentVersion(StreamId("user:u1"));
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, StreamVersion(1));
}

TEST_F(AppendTest, ExpectedVersionKindsAcceptAndReject) {
  // No stream yet: NoStream, Any and Exact(0) match; StreamExists and Exact(1) do not.
  auto exists_on_new = AppendNote("s", ExpectedVersion::StreamExists());
  ASSERT_TRUE(exists_on_new.status().IsAborted());
  EXPECT_EQ(exists_on_new.status().current_version(), 0u);
  auto exact_on_new = AppendNote("s", ExpectedVersion::Exact(StreamVersion(1)));
  ASSERT_TRUE(exact_on_new.status().IsAborted());
  EXPECT_EQ(exact_on_new.status().current_version(), 0u);
  ASSERT_TRUE(AppendNote("s", ExpectedVersion::NoStream()).ok());               // -> 1
  ASSERT_TRUE(AppendNote("t", ExpectedVersion::Exact(StreamVersion(0))).ok());  // other stream
  ASSERT_TRUE(AppendNote("u", ExpectedVersion::Any()).ok());                    // other stream

  // At version 1.
  auto no_stream_on_existing = AppendNote("s", ExpectedVersion::NoStream());
  ASSERT_TRUE(no_stream_on_existing.status().IsAborted());
  EXPECT_EQ(no_stream_on_existing.status().current_version(), 1u);
  ASSERT_TRUE(AppendNote("s", ExpectedVersion::StreamExists()).ok());  // -> 2
  ASSERT_TRUE(AppendNote("s", ExpectedVersion::Any()).ok());           // -> 3
  auto stale = AppendNote("s", ExpectedVersion::Exact(StreamVersion(2)));
  ASSERT_TRUE(stale.status().IsAborted());
  EXPECT_EQ(stale.status().current_version(), 3u);
  auto ahead = AppendNote("s", ExpectedVersion::Exact(StreamVersion(5)));
  ASSERT_TRUE(ahead.status().IsAborted());
  EXPECT_EQ(ahead.status().current_version(), 3u);
  auto exact = AppendNote("s", ExpectedVersion::Exact(StreamVersion(3)));
  ASSERT_TRUE(exact.ok()) << exact.status().ToString();
  EXPECT_EQ(exact->stream_version, StreamVersion(4));

  // Rejections consumed no positions: 3 other-stream events + 4 on "s".
  EXPECT_EQ(store_->Head(), Position(6));
  EXPECT_TRUE(store_->VerifyRange(Position(0), Position(0)).ok());
}

TEST_F(AppendTest, InvalidAppendsAreRejected) {
  auto empty = store_->Append(StreamId("s"), ExpectedVersion::Any(), {});
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);

  auto wrong_stream = store_->Append(StreamId("s"), ExpectedVersion::Any(), Notes("other", {"x"}));
  EXPECT_EQ(wrong_stream.status().code(), StatusCode::kInvalidArgument);

  auto garbage =
      store_->Append(StreamId("s"), ExpectedVersion::Any(), {std::string("not flatbuffers")});
  EXPECT_EQ(garbage.status().code(), StatusCode::kInvalidArgument);

  const std::string nul_stream("a\0b", 3);
  auto bad_id =
      store_->Append(StreamId(nul_stream), ExpectedVersion::Any(), Notes(nul_stream, {"x"}));
  EXPECT_EQ(bad_id.status().code(), StatusCode::kInvalidArgument);

  auto empty_id = store_->Append(StreamId(""), ExpectedVersion::Any(), Notes("", {"x"}));
  EXPECT_EQ(empty_id.status().code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(store_->Head(), Position(0));
}

TEST_F(AppendTest, MultiEventAppendIsAtomic) {
  ASSERT_TRUE(AppendNote("other", ExpectedVersion::Any()).ok());
  // One bad envelope among three: nothing of the append is written.
  std::vector<std::string> mixed = Notes("s", {"a", "b"});
  mixed.push_back(NoteEnvelope("elsewhere", "c"));
  auto rejected = store_->Append(StreamId("s"), ExpectedVersion::Any(), mixed);
  EXPECT_EQ(rejected.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Head(), Position(1));
  EXPECT_EQ(*store_->CurrentVersion(StreamId("s")), StreamVersion(0));

  // A version conflict rejects all three too.
  auto conflict =
      store_->Append(StreamId("s"), ExpectedVersion::StreamExists(), Notes("s", {"a", "b", "c"}));
  EXPECT_TRUE(conflict.status().IsAborted());
  EXPECT_EQ(store_->Head(), Position(1));

  auto ok = store_->Append(StreamId("s"), ExpectedVersion::NoStream(), Notes("s", {"a", "b", "c"}));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->first_position, Position(2));
  EXPECT_EQ(ok->last_position, Position(4));
  EXPECT_EQ(ok->stream_version, StreamVersion(3));
  auto events = store_->ReadStream(StreamId("s"), StreamVersion(1), Direction::kForward, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*events)[i].position, Position(2 + i));
    EXPECT_EQ((*events)[i].envelope().stream_version(), i + 1);
    EXPECT_EQ(testing::NoteText((*events)[i]), std::string(1, static_cast<char>('a' + i)));
  }
}

TEST_F(AppendTest, TwoRacingAppendsWithTheSameExpectedVersionHaveOneWinner) {
  for (int round = 0; round < 30; ++round) {
    const std::string stream = "race:" + std::to_string(round);
    ASSERT_TRUE(AppendNote(stream, ExpectedVersion::NoStream()).ok());
    std::latch start(2);
    Result<AppendResult> results[2] = {Status::Internal("unset"), Status::Internal("unset")};
    std::thread racers[2];
    for (int i = 0; i < 2; ++i) {
      racers[i] = std::thread([&, i] {
        start.arrive_and_wait();
        results[i] = AppendNote(stream, ExpectedVersion::Exact(StreamVersion(1)),
                                "racer " + std::to_string(i));
      });
    }
    for (auto& racer : racers) racer.join();
    const int winners = results[0].ok() + results[1].ok();
    ASSERT_EQ(winners, 1) << "round " << round;
    const Result<AppendResult>& loser = results[0].ok() ? results[1] : results[0];
    ASSERT_TRUE(loser.status().IsAborted()) << loser.status().ToString();
    EXPECT_EQ(loser.status().current_version(), 2u);
    EXPECT_EQ(*store_->CurrentVersion(StreamId(stream)), StreamVersion(2));
  }
  EXPECT_EQ(store_->Head(), Position(60));
}

TEST_F(AppendTest, AppendsInOneBatchSeeEachOthersVersions) {
  // Queued back to back, these land in few batches; each expects the version the previous
  // one leaves, and a conflicting one in the middle consumes no position.
  constexpr std::size_t kAppends = 50;
  Collector collector;
  collector.Expect(kAppends + 1);
  for (std::size_t i = 0; i < kAppends; ++i) {
    store_->AppendAsync(StreamId("s"), ExpectedVersion::Exact(StreamVersion(i)),
                        Notes("s", {"n" + std::to_string(i)}), "", collector.Slot(i));
    if (i == kAppends / 2) {
      store_->AppendAsync(StreamId("s"), ExpectedVersion::NoStream(), Notes("s", {"late"}), "",
                          collector.Slot(kAppends));
    }
  }
  auto results = collector.Wait();
  for (std::size_t i = 0; i < kAppends; ++i) {
    ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].status().ToString();
    EXPECT_EQ(results[i]->first_position, Position(i + 1));
    EXPECT_EQ(results[i]->stream_version, StreamVersion(i + 1));
  }
  EXPECT_TRUE(results[kAppends].status().IsAborted());
  EXPECT_EQ(store_->Head(), Position(kAppends));
  EXPECT_TRUE(store_->VerifyRange(Position(1), Position(0)).ok());
}

TEST_F(AppendTest, ConcurrentAppendersGetGaplessUniquePositions) {
  constexpr int kThreads = 16;
  constexpr int kAppendsPerThread = 200;
  std::vector<std::vector<Position>> seen(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string stream = "writer:" + std::to_string(t);
      for (int i = 0; i < kAppendsPerThread; ++i) {
        auto result =
            AppendNote(stream, ExpectedVersion::Exact(StreamVersion(i)), std::to_string(i));
        if (!result.ok() || result->stream_version != StreamVersion(i + 1)) {
          ++failures;
          return;
        }
        seen[t].push_back(result->first_position);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(failures.load(), 0);

  std::set<Position> positions;
  for (const auto& per_thread : seen) {
    ASSERT_TRUE(std::is_sorted(per_thread.begin(), per_thread.end()));
    positions.insert(per_thread.begin(), per_thread.end());
  }
  constexpr std::uint64_t kTotal = kThreads * kAppendsPerThread;
  ASSERT_EQ(positions.size(), kTotal);  // unique
  EXPECT_EQ(*positions.begin(), Position(1));
  EXPECT_EQ(*positions.rbegin(), Position(kTotal));  // so gapless
  EXPECT_EQ(store_->Head(), Position(kTotal));

  std::uint64_t next = 1;
  while (next <= kTotal) {
    auto batch = store_->ReadAll(Position(next), 333);
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    ASSERT_FALSE(batch->empty());
    for (const StoredEvent& event : *batch) {
      EXPECT_EQ(event.position, Position(next));
      EXPECT_EQ(event.envelope().position(), next);
      ++next;
    }
  }
  EXPECT_TRUE(store_->ReadAll(Position(next), 10)->empty());
  Status verified = store_->VerifyRange(Position(0), Position(0));
  EXPECT_TRUE(verified.ok()) << verified.ToString();
}

// The writer answers appends once their batch is durable, which is before RocksDB's reads
// see it (group_commit.h): every read must still see an append as soon as it is answered.
TEST_F(AppendTest, EveryReadAfterAnAnsweredAppendSeesIt) {
  constexpr int kThreads = 16;
  constexpr int kAppendsPerThread = 150;
  std::vector<std::thread> threads;
  std::atomic<int> unseen{0};
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string stream = "reader:" + std::to_string(t);
      for (int i = 0; i < kAppendsPerThread; ++i) {
        auto appended = AppendNote(stream, ExpectedVersion::Any(), std::to_string(i));
        if (!appended.ok()) {
          ++failures;
          return;
        }
        const Position position = appended->last_position;
        // First, before any other read could wait for the batch.
        const Position before(position.value() - 1);
        if (store_->WaitForPositionAfter(before, std::chrono::milliseconds(0)) < position) {
          ++unseen;
        }
        auto newest = store_->ReadStream(StreamId(stream), StreamVersion(UINT64_MAX),
                                         Direction::kBackward, 1);
        auto at = store_->ReadAll(position, 1);
        auto version = store_->CurrentVersion(StreamId(stream));
        if (!newest.ok() || !at.ok() || !version.ok()) {
          ++failures;
          return;
        }
        if (newest->empty() || newest->front().position != position) ++unseen;
        if (at->empty() || at->front().position != position) ++unseen;
        if (*version != appended->stream_version) ++unseen;
        if (store_->Head() < position) ++unseen;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(unseen.load(), 0) << "reads right after an answer missed the append";
}

// A read from an append's callback would wait for the callback's own batch: it fails instead.
TEST_F(AppendTest, AReadFromAnAppendCallbackFailsInsteadOfWaitingForItself) {
  std::promise<Status> read_status;
  store_->AppendAsync(StreamId("s"), ExpectedVersion::Any(), Notes("s", {"x"}), "",
                      [&](Result<AppendResult> result) {
                        read_status.set_value(result.ok()
                                                  ? store_->ReadAll(Position(1), 10).status()
                                                  : result.status());
                      });
  const Status status = read_status.get_future().get();
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status.ToString();
  // Outside the callback the append reads back.
  auto events = store_->ReadAll(Position(1), 10);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ(events->size(), 1u);
}

TEST_F(AppendTest, IdempotentRetrySurvivesRestart) {
  const auto events = Notes("order:1", {"placed", "paid"});
  auto first = store_->Append(StreamId("order:1"), ExpectedVersion::NoStream(), events, "cmd-1");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(AppendNote("other", ExpectedVersion::Any()).ok());

  // Same process: deduplicated, even though NoStream no longer holds.
  auto again = store_->Append(StreamId("order:1"), ExpectedVersion::NoStream(), events, "cmd-1");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->deduplicated);
  EXPECT_EQ(again->first_position, first->first_position);

  Reopen();
  const Position head = store_->Head();
  EXPECT_EQ(head, Position(3));
  auto retried = store_->Append(StreamId("order:1"), ExpectedVersion::NoStream(),
                                Notes("order:1", {"placed", "paid"}), "cmd-1");
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_TRUE(retried->deduplicated);
  EXPECT_EQ(retried->first_position, Position(1));
  EXPECT_EQ(retried->last_position, Position(2));
  EXPECT_EQ(retried->stream_version, StreamVersion(2));
  EXPECT_EQ(store_->Head(), head);  // nothing appended

  auto other_bytes = store_->Append(StreamId("order:1"), ExpectedVersion::Any(),
                                    Notes("order:1", {"placed", "refunded"}), "cmd-1");
  EXPECT_EQ(other_bytes.status().code(), StatusCode::kFailedPrecondition);
  auto fewer_events = store_->Append(StreamId("order:1"), ExpectedVersion::Any(),
                                     Notes("order:1", {"placed"}), "cmd-1");
  EXPECT_EQ(fewer_events.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->Head(), head);
  EXPECT_EQ(*store_->CurrentVersion(StreamId("order:1")), StreamVersion(2));
}

TEST_F(AppendTest, SameKeyTwiceInOneBatchAppendsOnce) {
  constexpr std::size_t kCopies = 8;
  Collector collector;
  collector.Expect(kCopies + 1);
  for (std::size_t i = 0; i < kCopies; ++i) {
    store_->AppendAsync(StreamId("s"), ExpectedVersion::Any(), Notes("s", {"x"}), "key",
                        collector.Slot(i));
  }
  store_->AppendAsync(StreamId("s"), ExpectedVersion::Any(), Notes("s", {"y"}), "key",
                      collector.Slot(kCopies));
  auto results = collector.Wait();
  std::size_t appended = 0;
  for (std::size_t i = 0; i < kCopies; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].status().ToString();
    EXPECT_EQ(results[i]->first_position, Position(1));
    appended += !results[i]->deduplicated;
  }
  EXPECT_EQ(appended, 1u);
  EXPECT_EQ(results[kCopies].status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->Head(), Position(1));
}

TEST_F(AppendTest, ReadOnlyStoreRefusesAppendsButReads) {
  ASSERT_TRUE(AppendNote("s", ExpectedVersion::Any()).ok());
  store_.reset();
  Options options = TestOptions(dir_.path());
  options.read_only = true;
  auto opened = EventStore::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto& reader = **opened;
  EXPECT_EQ(reader.Head(), Position(1));
  EXPECT_EQ(reader.Append(StreamId("s"), ExpectedVersion::Any(), Notes("s", {"x"})).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(reader.ReadAll(Position(1), 10)->size(), 1u);
  EXPECT_TRUE(reader.VerifyRange(Position(0), Position(0)).ok());

  Options missing = TestOptions(dir_.Sub("nothing-here"));
  missing.read_only = true;
  EXPECT_FALSE(EventStore::Open(missing).ok());
}

TEST_F(AppendTest, HeadHashIsTheLastEventsHash) {
  EXPECT_EQ(store_->HeadHash(), schemas::Hash{});
  ASSERT_TRUE(AppendNote("s", ExpectedVersion::Any()).ok());
  auto events = store_->ReadAll(Position(1), 1);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(store_->HeadHash(), schemas::ToHash((*events)[0].envelope().hash()));
  const schemas::Hash before = store_->HeadHash();
  Reopen();
  EXPECT_EQ(store_->HeadHash(), before);
}

}  // namespace
}  // namespace portico::eventstore
