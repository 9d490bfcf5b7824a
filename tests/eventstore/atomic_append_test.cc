// AppendAtomicallyAsync: an append across several streams goes in whole or not at all. (The
// crash test checks the same across SIGKILL.)
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "eventstore/event_store.h"
#include "eventstore/store_testing.h"

namespace portico::eventstore {
namespace {

using testing::NoteText;
using testing::Notes;
using testing::TempDir;
using testing::TestOptions;

StreamAppend Part(const std::string& stream, std::vector<std::string> texts,
                  ExpectedVersion expected = ExpectedVersion::Any(), std::string key = {}) {
  return {StreamId(stream), expected, Notes(stream, texts), {.idempotency_key = std::move(key)}};
}

class AtomicAppendTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(TestOptions(dir_.path())); }

  void Reopen(const Options& options) {
    store_.reset();
    auto opened = EventStore::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  // Queues an atomic append and returns its future result.
  std::future<Result<std::vector<AppendResult>>> Queue(std::vector<StreamAppend> parts) {
    auto promise = std::make_shared<std::promise<Result<std::vector<AppendResult>>>>();
    auto future = promise->get_future();
    store_->AppendAtomicallyAsync(std::move(parts), [promise](auto result) {
      promise->set_value(std::move(result));
    });
    return future;
  }

  std::vector<std::string> TextsOf(const std::string& stream) {
    auto events = store_->ReadStream(StreamId(stream), StreamVersion(0), Direction::kForward, 100);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    std::vector<std::string> texts;
    if (events.ok()) {
      for (const StoredEvent& event : *events) texts.push_back(NoteText(event));
    }
    return texts;
  }

  TempDir dir_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(AtomicAppendTest, EveryPartGoesInInOrderWithOneResultEach) {
  ASSERT_TRUE(store_->Append(StreamId("b"), ExpectedVersion::Any(), Notes("b", {"b0"})).ok());
  auto results = Queue({Part("a", {"a1", "a2"}), Part("b", {"b1"}, ExpectedVersion::Exact(StreamVersion(1))),
                        Part("c", {"c1", "c2", "c3"}, ExpectedVersion::NoStream())})
                     .get();
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_EQ(results->size(), 3u);
  EXPECT_EQ((*results)[0].first_position, Position(2));
  EXPECT_EQ((*results)[0].last_position, Position(3));
  EXPECT_EQ((*results)[1].first_position, Position(4));
  EXPECT_EQ((*results)[1].stream_version, StreamVersion(2));
  EXPECT_EQ((*results)[2].first_position, Position(5));
  EXPECT_EQ((*results)[2].last_position, Position(7));
  EXPECT_EQ(store_->Head(), Position(7));
  EXPECT_EQ(TextsOf("a"), (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(TextsOf("b"), (std::vector<std::string>{"b0", "b1"}));
  EXPECT_EQ(TextsOf("c"), (std::vector<std::string>{"c1", "c2", "c3"}));
  EXPECT_TRUE(store_->VerifyRange(Position(0), Position(0)).ok());
}

TEST_F(AtomicAppendTest, OneRejectedPartAppendsNothingOfTheOthers) {
  ASSERT_TRUE(store_->Append(StreamId("b"), ExpectedVersion::Any(), Notes("b", {"b0"})).ok());
  auto results = Queue({Part("a", {"a1"}, ExpectedVersion::Any(), "key-a"),
                        Part("b", {"b1"}, ExpectedVersion::NoStream()), Part("c", {"c1"})})
                     .get();
  ASSERT_FALSE(results.ok());
  EXPECT_EQ(results.status().code(), StatusCode::kAborted) << results.status().ToString();
  EXPECT_EQ(results.status().current_version(), 1u);  // the rejected part's stream
  EXPECT_EQ(store_->Head(), Position(1));
  EXPECT_TRUE(TextsOf("a").empty());
  EXPECT_TRUE(TextsOf("c").empty());

  // Nothing of the rejected parts lingers in the writer's view: stream "a" is still new and
  // its part's idempotency key is free for other events.
  auto a = store_->Append(StreamId("a"), ExpectedVersion::NoStream(), Notes("a", {"other"}), "key-a");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_FALSE(a->deduplicated);
  EXPECT_EQ(a->first_position, Position(2));
  EXPECT_EQ(a->stream_version, StreamVersion(1));
  EXPECT_TRUE(store_->VerifyRange(Position(0), Position(0)).ok());
}

TEST_F(AtomicAppendTest, ARejectedAtomicAppendLeavesTheAppendsQueuedWithItAlone) {
  // Queued back to back, so the writer usually takes them into one batch; the outcome must
  // be the same either way.
  auto before = Queue({Part("x", {"x1"})});
  auto rejected = Queue({Part("a", {"a1"}), Part("x", {"x?"}, ExpectedVersion::NoStream())});
  auto after = Queue({Part("y", {"y1"})});
  ASSERT_TRUE(before.get().ok());
  EXPECT_EQ(rejected.get().status().code(), StatusCode::kAborted);
  auto stored = after.get();
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ((*stored)[0].first_position, Position(2));
  EXPECT_EQ(TextsOf("x"), (std::vector<std::string>{"x1"}));
  EXPECT_TRUE(TextsOf("a").empty());
  EXPECT_EQ(TextsOf("y"), (std::vector<std::string>{"y1"}));
  EXPECT_TRUE(store_->VerifyRange(Position(0), Position(0)).ok());
}

TEST_F(AtomicAppendTest, AnAppendLargerThanTheBatchCapGoesInAsOneBatch) {
  Options options = TestOptions(dir_.Sub("capped"));
  options.max_batch_events = 4;
  Reopen(options);
  std::vector<StreamAppend> parts;
  for (int i = 0; i < 10; ++i) parts.push_back(Part("s" + std::to_string(i), {"one", "two"}));
  auto results = Queue(std::move(parts)).get();
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_EQ(results->size(), 10u);
  // One batch: consecutive positions and the one time the batch records.
  for (std::size_t i = 0; i < results->size(); ++i) {
    EXPECT_EQ((*results)[i].first_position, Position(2 * i + 1));
    EXPECT_EQ((*results)[i].recorded_at_us, (*results)[0].recorded_at_us);
  }
  EXPECT_EQ(store_->Head(), Position(20));
  EXPECT_TRUE(store_->VerifyRange(Position(0), Position(0)).ok());
}

TEST_F(AtomicAppendTest, ARetryIsAnsweredFromTheIdempotencyKeysAlsoAfterARestart) {
  auto parts = [] { return std::vector<StreamAppend>{Part("a", {"a1"}, ExpectedVersion::Any(), "k#0"),
                                                     Part("b", {"b1"}, ExpectedVersion::Any(), "k#1")}; };
  auto first = Queue(parts()).get();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Reopen(TestOptions(dir_.path()));
  auto retry = Queue(parts()).get();
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_TRUE((*retry)[i].deduplicated);
    EXPECT_EQ((*retry)[i].first_position, (*first)[i].first_position);
  }
  EXPECT_EQ(store_->Head(), Position(2));

  // The same keys with other events: refused, and nothing else of that append goes in.
  auto other = Queue({Part("c", {"c1"}), Part("b", {"changed"}, ExpectedVersion::Any(), "k#1")}).get();
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition) << other.status().ToString();
  EXPECT_EQ(store_->Head(), Position(2));
}

TEST_F(AtomicAppendTest, AnInvalidPartIsNamedAndNothingIsQueued) {
  auto empty = Queue({}).get();
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);

  auto invalid = Queue({Part("a", {"a1"}), Part("b", {})}).get();
  ASSERT_EQ(invalid.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(invalid.status().message().find("part 2"), std::string::npos)
      << invalid.status().message();
  EXPECT_EQ(store_->Head(), Position(0));
}

TEST_F(AtomicAppendTest, AReadOnlyStoreRefusesIt) {
  Options options = TestOptions(dir_.path());
  options.read_only = true;
  Reopen(options);
  auto refused = Queue({Part("a", {"a1"})}).get();
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace portico::eventstore
