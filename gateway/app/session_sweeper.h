// SessionSweeper: makes session expiry a fact of the log.
//
// The sessions model already refuses an expired token on read (absolute expiry from the
// SessionStarted event, idle expiry from this node's last-seen times), but nothing records
// that the session is over. Every `interval` the sweeper submits domain::ExpireSessions with
// this node's last-seen times (SessionsModel::ExpiryCommand), so each session past its absolute
// or idle expiry gets a SessionEnded event (reason expired, actor system "session-sweeper"),
// and the audit and GET /v1/users/{id}/sessions tell the truth. A sweep that finds nothing
// appends nothing. The first sweep runs at once: right after a restart it ends no session
// for idleness, since none counts as last seen before the sessions model started observing.
//
// The timer runs on the worker pool (the submit blocks on fsync, which the pool is for).
// Stop() cancels it and waits for a sweep in progress; call it before joining the pool.
// Thread-safe.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "gateway/app/command_processor.h"
#include "projections/sessions_model.h"

namespace portico::gateway {

class SessionSweeper {
 public:
  // Starts sweeping at once, then every `interval` (> 0). Everything must outlive the sweeper.
  SessionSweeper(CommandProcessor& processor, projections::SessionsModel& sessions,
                 boost::asio::thread_pool& pool, std::chrono::milliseconds interval);
  ~SessionSweeper();
  SessionSweeper(const SessionSweeper&) = delete;
  SessionSweeper& operator=(const SessionSweeper&) = delete;

  void Stop();

  // Sessions ended by the sweeps so far.
  std::uint64_t ended() const;

 private:
  void Arm(std::chrono::milliseconds delay);  // requires mu_
  void Sweep();

  CommandProcessor& processor_;
  projections::SessionsModel& sessions_;
  const std::chrono::milliseconds interval_;
  boost::asio::steady_timer timer_;  // GUARDED_BY(mu_)
  mutable std::mutex mu_;
  std::condition_variable idle_;
  bool stopped_ = false;   // GUARDED_BY(mu_)
  bool armed_ = false;     // a wait is outstanding; GUARDED_BY(mu_)
  std::uint64_t ended_ = 0;  // GUARDED_BY(mu_)
};

}  // namespace portico::gateway
