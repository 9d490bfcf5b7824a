#include "gateway/http/async.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>
#include <atomic>
#include <stdexcept>
#include <thread>

#include "common/status.h"
#include "gateway/http/freshness.h"
#include "test_util.h"

namespace portico::gateway {
namespace {

using testing::RunSync;
namespace asio = boost::asio;

TEST(OnWorkerPoolTest, RunsOnThePoolAndResumesOnTheStrand) {
  asio::io_context io;
  asio::thread_pool pool(2);
  auto strand = asio::make_strand(io);
  const auto io_thread = std::this_thread::get_id();
  auto future = asio::co_spawn(
      strand,
      [&]() -> asio::awaitable<bool> {
        auto worker = co_await OnWorkerPool(pool, [] { return std::this_thread::get_id(); });
        co_return worker != io_thread&& strand.running_in_this_thread() &&
            std::this_thread::get_id() == io_thread;
      },
      asio::use_future);
  io.run();
  EXPECT_TRUE(future.get());
  pool.join();
}

TEST(OnWorkerPoolTest, PropagatesExceptionsAndSupportsVoid) {
  asio::thread_pool pool(1);
  int ran = 0;
  RunSync([&]() -> asio::awaitable<int> {
    co_await OnWorkerPool(pool, [&] { ++ran; });
    co_return 0;
  }());
  EXPECT_EQ(ran, 1);
  EXPECT_THROW(RunSync([&]() -> asio::awaitable<int> {
                 co_return co_await OnWorkerPool(
                     pool, []() -> int { throw std::runtime_error("hash failed"); });
               }()),
               std::runtime_error);
  // A result type without a default constructor.
  auto result = RunSync([&]() -> asio::awaitable<int> {
    Result<int> r = co_await OnWorkerPool(pool, [] { return Result<int>(Status::NotFound("x")); });
    co_return r.ok() ? 1 : 2;
  }());
  EXPECT_EQ(result, 2);
  pool.join();
}

TEST(AwaitCallbackTest, ResumesWithAValueFromAnotherThread) {
  std::thread writer;
  auto value = RunSync([&]() -> asio::awaitable<int> {
    Result<int> r = co_await AwaitCallback<Result<int>>([&](auto done) {
      std::function<void(Result<int>)> callback = done;  // fits a std::function
      writer = std::thread([callback] {
        callback(Result<int>(7));
        callback(Result<int>(8));  // ignored
      });
    });
    co_return r.ok() ? *r : -1;
  }());
  writer.join();
  EXPECT_EQ(value, 7);
}

TEST(PositionNotifierTest, WakesWaitersWhenTheReadModelAdvances) {
  PositionNotifier notifier(Position(3));
  EXPECT_TRUE(RunSync(notifier.WaitFor(Position(2), std::chrono::milliseconds(0))));

  asio::io_context io;
  auto future =
      asio::co_spawn(io, notifier.WaitFor(Position(5), std::chrono::minutes(10)), asio::use_future);
  std::thread runner([&] { io.run(); });
  // The waiter may register before or after these: either way it sees 5.
  notifier.Advance(Position(4));
  notifier.Advance(Position(5));
  EXPECT_TRUE(future.get());
  runner.join();
  EXPECT_EQ(notifier.applied(), Position(5));
  notifier.Advance(Position(1));  // never goes back
  EXPECT_EQ(notifier.applied(), Position(5));
}

TEST(PositionNotifierTest, TimesOut) {
  PositionNotifier notifier;
  EXPECT_FALSE(RunSync(notifier.WaitFor(Position(1), std::chrono::milliseconds(1))));
}

TEST(MinPositionTest, ParsesWaitsAndAnswers503) {
  PositionNotifier notifier(Position(10));
  {
    QueryReader query("/v1/orgs/a");
    EXPECT_FALSE(RunSync(AwaitMinPosition(query, notifier)));
    EXPECT_FALSE(query.Finish());
  }
  {
    QueryReader query("/v1/orgs/a?min_position=10");
    EXPECT_FALSE(RunSync(AwaitMinPosition(query, notifier)));
    EXPECT_FALSE(query.Finish());
  }
  {
    QueryReader query("/v1/orgs/a?min_position=ten");
    auto problem = RunSync(AwaitMinPosition(query, notifier));
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->status, 400u);
    EXPECT_EQ(problem->field, "min_position");
  }
  {
    QueryReader query("/v1/orgs/a?min_position=11");
    auto problem = RunSync(AwaitMinPosition(query, notifier, std::chrono::milliseconds(1)));
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->status, 503u);
    EXPECT_EQ(problem->retry_after, std::chrono::seconds(1));
  }
}

// One thread runs both the waiting request and the code that advances the read model: a wait
// that held its thread could never see the advance and would answer 503.
TEST(MinPositionTest, PollingWaitHoldsNoThread) {
  asio::io_context io;
  std::atomic<std::uint64_t> applied{0};
  PositionReached reached = [&applied](Position p) { return applied.load() >= p.value(); };
  QueryReader query("/x?min_position=5");
  const LogHead unknown;
  auto waiting = asio::co_spawn(io, AwaitMinPosition(query, reached, unknown, std::chrono::seconds(10)),
                                asio::use_future);
  asio::co_spawn(
      io,
      [&applied]() -> asio::awaitable<void> {
        asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(5));
        co_await pause.async_wait(asio::use_awaitable);
        applied = 5;
      },
      asio::detached);
  io.run();
  EXPECT_FALSE(waiting.get());
  EXPECT_FALSE(query.Finish());
}

TEST(MinPositionTest, PollingWaitAnswers503NamingThePosition) {
  PositionReached never = [](Position) { return false; };
  QueryReader query("/x?min_position=18446744073709551615");
  auto problem = RunSync(AwaitMinPosition(query, never, LogHead(), std::chrono::milliseconds(5)));
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->status, 503u);
  EXPECT_EQ(problem->retry_after, std::chrono::seconds(1));
  EXPECT_NE(problem->detail.find("18446744073709551615"), std::string::npos) << problem->detail;
}

TEST(MinPositionTest, APositionBeyondTheLogsHeadIsABadRequestAtOnce) {
  PositionReached never = [](Position) { return false; };
  LogHead head = [] { return Position(7); };
  QueryReader beyond("/x?min_position=8");
  // With a 10 s bound: a wait would end in 503, not 400.
  auto problem = RunSync(AwaitMinPosition(beyond, never, head, std::chrono::seconds(10)));
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->status, 400u);
  EXPECT_EQ(problem->field, "min_position");
  EXPECT_NE(problem->detail.find("last position is 7"), std::string::npos) << problem->detail;

  QueryReader at_head("/x?min_position=7");  // within the log: waits, as the read model lags
  auto waited = RunSync(AwaitMinPosition(at_head, never, head, std::chrono::milliseconds(5)));
  ASSERT_TRUE(waited);
  EXPECT_EQ(waited->status, 503u);

  PositionReached reached = [](Position p) { return p.value() <= 9; };
  QueryReader applied("/x?min_position=9");  // applied beyond the head it was told: fine
  EXPECT_FALSE(RunSync(AwaitMinPosition(applied, reached, head, std::chrono::milliseconds(5))));
}

}  // namespace
}  // namespace portico::gateway
