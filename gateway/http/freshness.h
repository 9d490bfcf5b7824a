// min_position (API.md): "the reply waits, bounded, until the read model has applied
// position N, or answers 503 with Retry-After".
//
// A PositionNotifier tracks how far one read model has applied the log. Its owner (the
// projection runner) calls Advance(p) after applying p; handlers co_await WaitFor(p, timeout),
// which resumes as soon as applied() >= p, or when the timeout passes, without holding any
// thread meanwhile (a timer on the handler's executor). Thread-safe; it must outlive every
// pending WaitFor.
//
// AwaitMinPosition reads `min_position` through the route's QueryReader (so the parameter
// counts as known on every GET), then waits. It returns nullopt to go ahead, or the problem
// to answer: 400 for a malformed value, 503 with Retry-After: 1 when the read model did not
// get there within the timeout (default 2 s). The second overload is for read models without
// a notifier: it asks `reached(position)`, which must answer at once, again and again (after
// 1 ms, then twice as long each time up to 20 ms) on a timer. Given the log's head, it
// answers a position beyond it at once with 400 naming min_position: no read model gets
// there before a command is stored there, and a caller only learns positions of stored
// commands (one from before the log was restored from an older copy, say, would otherwise
// wait and get 503 again and again). Neither holds a thread while it waits: the worker pool
// also hashes passwords, and a client sending a min_position that never comes must not be
// able to starve logins.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "common/strong_type.h"
#include "gateway/http/problem.h"
#include "gateway/http/query.h"

namespace portico::gateway {

inline constexpr std::chrono::milliseconds kDefaultFreshnessWait{2000};

class PositionNotifier {
 public:
  explicit PositionNotifier(Position applied = Position(0));
  PositionNotifier(const PositionNotifier&) = delete;
  PositionNotifier& operator=(const PositionNotifier&) = delete;

  // Records that the read model applied `applied` (ignored unless it moves forward) and
  // wakes the waiters it satisfies.
  void Advance(Position applied);
  Position applied() const;

  // True once applied() >= target; false when the timeout passed first.
  boost::asio::awaitable<bool> WaitFor(Position target, std::chrono::milliseconds timeout);

 private:
  using Key = std::pair<std::uint64_t, std::uint64_t>;  // (target, waiter id)
  class Registration;

  mutable std::mutex mutex_;
  std::uint64_t applied_ = 0;                                          // GUARDED_BY(mutex_)
  std::uint64_t next_id_ = 0;                                          // GUARDED_BY(mutex_)
  std::map<Key, std::shared_ptr<boost::asio::steady_timer>> waiters_;  // GUARDED_BY(mutex_)
};

// True when the read model has applied the position; must not block.
using PositionReached = std::function<bool(Position)>;

boost::asio::awaitable<std::optional<Problem>> AwaitMinPosition(
    QueryReader& query, PositionNotifier& notifier,
    std::chrono::milliseconds timeout = kDefaultFreshnessWait);

// The log's last position, as far as appends have been acknowledged. Asked on the handler's
// thread, so it must answer at once (EventStore::Head waits at most for the batch being
// answered to become readable).
using LogHead = std::function<Position()>;

// `head` may be empty (unknown): then a position beyond the log waits as any other.
boost::asio::awaitable<std::optional<Problem>> AwaitMinPosition(
    QueryReader& query, const PositionReached& reached, const LogHead& head,
    std::chrono::milliseconds timeout = kDefaultFreshnessWait);

// Asks `reached(target)` until it says yes (true) or `timeout` passes (false), pausing on a
// timer in between, so no thread is held while the read model catches up.
boost::asio::awaitable<bool> PollUntilReached(const PositionReached& reached, Position target,
                                              std::chrono::milliseconds timeout);

}  // namespace portico::gateway
