// AppendOptions: an expected head (a chain of appends queued ahead of durability fails from
// the first one that does not go in) and a caller-given recorded time.
#include <future>
#include <memory>

#include <gtest/gtest.h>

#include "eventstore/event_store.h"
#include "eventstore/store_testing.h"

namespace portico::eventstore {
namespace {

using testing::Notes;
using testing::TempDir;
using testing::TestOptions;

class AppendOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = EventStore::Open(TestOptions(dir_.path()));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  // Queues an append and returns its future result.
  std::future<Result<AppendResult>> Queue(const std::string& stream, AppendOptions options) {
    auto promise = std::make_shared<std::promise<Result<AppendResult>>>();
    auto future = promise->get_future();
    store_->AppendAsync(StreamId(stream), ExpectedVersion::Any(), Notes(stream, {"x"}),
                        std::move(options),
                        [promise](Result<AppendResult> r) { promise->set_value(std::move(r)); });
    return future;
  }

  TempDir dir_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(AppendOptionsTest, AnAppendGoesInOnlyAtItsExpectedHead) {
  auto first = Queue("a", {.expected_head = Position(0)}).get();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->first_position, Position(1));

  auto stale = Queue("b", {.expected_head = Position(0)}).get();
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kAborted) << stale.status().ToString();
  EXPECT_EQ(store_->Head(), Position(1));
}

TEST_F(AppendOptionsTest, AppendsQueuedBehindARejectedOneAllFail) {
  ASSERT_TRUE(Queue("a", {.idempotency_key = "k"}).get().ok());
  // Queued together, each expecting the head the one before it would leave. The first reuses
  // the idempotency key for other events, so it is rejected and the rest must fail too.
  auto rejected = Queue("b", {.idempotency_key = "k", .expected_head = Position(1)});
  auto second = Queue("c", {.expected_head = Position(2)});
  auto third = Queue("d", {.expected_head = Position(3)});
  EXPECT_EQ(rejected.get().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(second.get().status().code(), StatusCode::kAborted);
  EXPECT_EQ(third.get().status().code(), StatusCode::kAborted);
  EXPECT_EQ(store_->Head(), Position(1));
  EXPECT_TRUE(store_->VerifyRange(Position(0), Position(0)).ok());
}

TEST_F(AppendOptionsTest, TheGivenTimeIsRecordedButNeverGoesBack) {
  auto later = Queue("a", {.recorded_at_us = 4'000'000'000'000'000}).get();
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->recorded_at_us, 4'000'000'000'000'000);
  auto events = store_->ReadAll(Position(1), 1);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ((*events)[0].envelope().recorded_at_us(), 4'000'000'000'000'000);

  auto earlier = Queue("a", {.recorded_at_us = 1'000'000}).get();  // 1970: before the last
  ASSERT_TRUE(earlier.ok());
  EXPECT_EQ(earlier->recorded_at_us, 4'000'000'000'000'000);
  auto clock = Queue("a", {}).get();  // the store's clock, also not before the last
  ASSERT_TRUE(clock.ok());
  EXPECT_EQ(clock->recorded_at_us, 4'000'000'000'000'000);
  EXPECT_TRUE(store_->VerifyRange(Position(0), Position(0)).ok());
}

}  // namespace
}  // namespace portico::eventstore
