// Replayer: folds the log into a domain::AccessState with domain::Evolve, in position order,
// checking every event on the way with a ChainChecker (chain_check.h): gaps, moved events,
// chain links, stream versions, and with verify_hashes each event's own hash too. A fault
// stops it with the position. Without verify_hashes a byte changed inside an event (its stored
// hash left alone) goes unseen: that takes the recomputed hash, as verify does. The head record
// is the caller's to check when the fold reaches the end (cli.h, CheckHeadAtEnd).
//
// AdvanceTo may be called repeatedly with growing positions (diff and timeline fold to one
// moment, look, then go on). An observer sees every event just before and just after it is
// folded, with the state at that point.
//
// The LogDb and the Progress (optional) must outlive the Replayer. Not thread-safe (the scan
// uses a reader thread of its own inside each call).
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "common/strong_type.h"
#include "domain/state.h"
#include "replay/chain_check.h"
#include "schemas/envelope.h"

namespace portico::replay {

class LogDb;
class Progress;

class FoldObserver {
 public:
  virtual ~FoldObserver() = default;
  virtual void Before(const schema::Envelope& /*event*/, const domain::AccessState& /*state*/) {}
  // A non-OK status stops the fold and is returned by AdvanceTo.
  virtual Status After(const schema::Envelope& event, std::string_view bytes,
                       const domain::AccessState& state) = 0;
};

struct ReplayOptions {
  bool verify_hashes = false;    // recompute every event's own hash (as verify does)
  Progress* progress = nullptr;  // updated with the position reached
};

class Replayer {
 public:
  Replayer(const LogDb& db, ReplayOptions options) : db_(db), options_(options) {}

  void set_progress(Progress* progress) { options_.progress = progress; }

  // Folds positions (position(), to]. Corruption at the first fault; the state then holds
  // every event before it.
  Status AdvanceTo(Position to, FoldObserver* observer = nullptr);

  const domain::AccessState& state() const { return state_; }
  Position position() const { return chain_.position(); }
  const ChainChecker& chain() const { return chain_; }

 private:
  const LogDb& db_;
  ReplayOptions options_;
  domain::AccessState state_;
  ChainChecker chain_;
};

}  // namespace portico::replay
