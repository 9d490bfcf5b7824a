#include "gateway/app/session_sweeper.h"

#include "common/log.h"

namespace portico::gateway {

SessionSweeper::SessionSweeper(CommandProcessor& processor, projections::SessionsModel& sessions,
                               boost::asio::thread_pool& pool, std::chrono::milliseconds interval)
    : processor_(processor), sessions_(sessions), interval_(interval), timer_(pool.get_executor()) {
  std::lock_guard lock(mu_);
  Arm(std::chrono::milliseconds(0));
}

SessionSweeper::~SessionSweeper() { Stop(); }

void SessionSweeper::Arm(std::chrono::milliseconds delay) {
  armed_ = true;
  timer_.expires_after(delay);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) Sweep();
    std::lock_guard lock(mu_);
    armed_ = false;
    if (stopped_) {
      idle_.notify_all();
      return;
    }
    Arm(interval_);
  });
}

void SessionSweeper::Sweep() {
  domain::ExpireSessions command = sessions_.ExpiryCommand();
  const CommandActor actor{schema::ActorKind::System, "session-sweeper", {}};
  auto outcome = processor_.Submit(command, actor);
  if (!outcome.ok()) {
    NamedLogger("gateway")->warn("session sweep failed: {}", outcome.status().ToString());
    return;
  }
  if (outcome->ended_sessions.empty()) return;
  NamedLogger("gateway")->info("session sweep ended {} expired session(s) up to position {}",
                               outcome->ended_sessions.size(), outcome->position.value());
  std::lock_guard lock(mu_);
  ended_ += outcome->ended_sessions.size();
}

void SessionSweeper::Stop() {
  std::unique_lock lock(mu_);
  stopped_ = true;
  timer_.cancel();
  idle_.wait(lock, [this] { return !armed_; });
}

std::uint64_t SessionSweeper::ended() const {
  std::lock_guard lock(mu_);
  return ended_;
}

}  // namespace portico::gateway
