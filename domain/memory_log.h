// MemoryLog: the event store's job done in memory, for tests and the in-process path. It
// appends DomainEvents as the store would (encode, stamp the store fields: position, stream
// version, recorded time, event id, hash chain), verifies the bytes, and folds each into its
// state with Evolve. Nothing is written anywhere; time is whatever the caller says.
//
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/commands.h"
#include "domain/events.h"
#include "domain/state.h"

namespace portico::domain {

class MemoryLog {
 public:
  MemoryLog() = default;
  MemoryLog(const MemoryLog&) = delete;
  MemoryLog& operator=(const MemoryLog&) = delete;

  // Decide(state(), command, now_us), then Append. Returns the events appended (none when
  // rejected: the rejection is returned and the log is unchanged).
  Result<std::vector<DomainEvent>> Execute(const Command& command, std::int64_t now_us,
                                           const schemas::EventMeta& meta = {});

  // Appends the events (meta's stream id is replaced by each event's stream) and folds them.
  // recorded_at_us is now_us, or the last recorded time if now_us is earlier (it never
  // decreases along the log).
  Status Append(const std::vector<DomainEvent>& events, std::int64_t now_us, const schemas::EventMeta& meta = {});

  const AccessState& state() const { return state_; }
  // Every envelope appended, stamped, in log order (position i + 1).
  const std::vector<std::string>& envelopes() const { return envelopes_; }
  std::uint64_t position() const { return envelopes_.size(); }

  // Folds every envelope, in order, into a fresh state.
  Result<AccessState> Replay() const;

 private:
  AccessState state_;
  std::vector<std::string> envelopes_;
  StringMap<std::uint64_t> stream_versions_;
  schemas::Hash last_hash_{};
  std::int64_t last_recorded_us_ = 0;
};

}  // namespace portico::domain
