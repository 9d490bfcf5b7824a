#include "gateway/http/freshness.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <vector>

namespace portico::gateway {

// A waiter's entry in waiters_, removed when the waiting coroutine ends, also when its frame
// is destroyed without resuming.
class PositionNotifier::Registration {
 public:
  Registration(PositionNotifier& owner, Key key) : owner_(owner), key_(key) {}
  ~Registration() {
    std::lock_guard lock(owner_.mutex_);
    owner_.waiters_.erase(key_);
  }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

 private:
  PositionNotifier& owner_;
  Key key_;
};

PositionNotifier::PositionNotifier(Position applied) : applied_(applied.value()) {}

Position PositionNotifier::applied() const {
  std::lock_guard lock(mutex_);
  return Position(applied_);
}

void PositionNotifier::Advance(Position applied) {
  std::vector<std::shared_ptr<boost::asio::steady_timer>> wake;
  {
    std::lock_guard lock(mutex_);
    if (applied.value() <= applied_) return;
    applied_ = applied.value();
    auto end = waiters_.upper_bound({applied_, UINT64_MAX});
    for (auto it = waiters_.begin(); it != end; ++it) wake.push_back(it->second);
    waiters_.erase(waiters_.begin(), end);
  }
  // A timer is not thread-safe: cancel it on the executor its waiter runs on.
  for (auto& timer : wake) {
    auto executor = timer->get_executor();
    boost::asio::post(executor, [timer = std::move(timer)] { timer->cancel(); });
  }
}

boost::asio::awaitable<bool> PositionNotifier::WaitFor(Position target,
                                                       std::chrono::milliseconds timeout) {
  auto timer = std::make_shared<boost::asio::steady_timer>(
      co_await boost::asio::this_coro::executor, timeout);
  Key key;
  {
    std::lock_guard lock(mutex_);
    if (applied_ >= target.value()) co_return true;
    key = {target.value(), next_id_++};
    waiters_.emplace(key, timer);
  }
  Registration registration(*this, key);
  co_await timer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return applied() >= target;
}

namespace {

// min_position from the query: nullopt when absent; a problem when malformed.
ProblemOr<std::optional<Position>> ReadMinPosition(QueryReader& query) {
  auto value = query.OptionalUint("min_position");
  if (!query.ok()) return *query.Finish();
  if (!value) return std::optional<Position>();
  return std::optional<Position>(Position(*value));
}

Problem NotFreshEnough(Position position) {
  return Problem::Unavailable("the read model has not yet applied position " +
                              std::to_string(position.value()));
}

Problem BeyondTheHead(Position position, Position head) {
  return Problem::BadRequest("min_position " + std::to_string(position.value()) +
                             " is beyond the log, whose last position is " +
                             std::to_string(head.value()))
      .WithField("min_position");
}

}  // namespace

// 1 ms first, doubling up to 20 ms, keeps the extra latency of a read-your-write small
// without spinning.
boost::asio::awaitable<bool> PollUntilReached(const PositionReached& reached, Position target,
                                              std::chrono::milliseconds timeout) {
  constexpr std::chrono::milliseconds kFirstPause{1};
  constexpr std::chrono::milliseconds kLongestPause{20};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (auto pause = kFirstPause; !reached(target); pause = std::min(pause * 2, kLongestPause)) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) co_return false;
    timer.expires_at(std::min(now + pause, deadline));
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  co_return true;
}

boost::asio::awaitable<std::optional<Problem>> AwaitMinPosition(QueryReader& query,
                                                                PositionNotifier& notifier,
                                                                std::chrono::milliseconds timeout) {
  auto position = ReadMinPosition(query);
  if (!position.ok()) co_return position.problem();
  if (!*position) co_return std::nullopt;
  if (co_await notifier.WaitFor(**position, timeout)) co_return std::nullopt;
  co_return NotFreshEnough(**position);
}

boost::asio::awaitable<std::optional<Problem>> AwaitMinPosition(QueryReader& query,
                                                                const PositionReached& reached,
                                                                const LogHead& head,
                                                                std::chrono::milliseconds timeout) {
  auto position = ReadMinPosition(query);
  if (!position.ok()) co_return position.problem();
  if (!*position) co_return std::nullopt;
  // The head only when the read model is behind: the usual request never asks for it.
  if (head && !reached(**position)) {
    if (const Position last = head(); **position > last) co_return BeyondTheHead(**position, last);
  }
  if (co_await PollUntilReached(reached, **position, timeout)) co_return std::nullopt;
  co_return NotFreshEnough(**position);
}

}  // namespace portico::gateway
