// A projection: a read model together with the position of the last event applied to it.
//
// The model and its position live in ONE object, so they cannot diverge: Apply() changes both
// or neither, and Snapshot()/Restore() save and load both as one blob. A read model is a pure
// function of the log: applying positions 1..P in order gives the same model whether the
// events came through Kafka, from the log, or from a mix.
//
// Contract for implementations:
// - applied() is the last position applied (Position(0): nothing yet). The runner calls
//   Apply(event, p) only with p == applied() + 1, one call at a time, on its own thread (or,
//   for a self_contained() projection during a catch-up from the log, on a helper thread).
// - Apply() handles every event type, including ones it does not care about (it just advances
//   its position), and must not throw. On success applied() == p afterwards. A non-OK status
//   means "this projection cannot apply this event" (a bug or an unknown schema): the model and
//   its position must be unchanged; the runner logs it and halts this projection (it stays at
//   its position and WaitForPosition beyond it times out) while the others continue.
// - `event` is verified (schemas::VerifyEnvelope and its position; when it came through Kafka,
//   its hash too, and its bytes are the log's at that position: see runner.h) and valid only
//   during the call.
// - ExpectEvents(n) is a hint, on the runner's thread before a catch-up from the log: about n
//   events are coming (see below).
// - Snapshot() returns the model and its position as one blob, or nullopt when this projection
//   is not checkpointed (then it is rebuilt from the log at every start). Restore(blob) replaces
//   the model and its position with the blob's, entirely or (on error) not at all. The runner
//   calls them on its thread, between Apply() calls.
// - Queries read the model from other threads: the projection guards its own state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/strong_type.h"
#include "schemas/envelope.h"
#include "schemas/envelope_run.h"

namespace portico::projections {

class Projection {
 public:
  virtual ~Projection() = default;

  // Unique among the projections of one process: names the snapshot file and the logs.
  virtual std::string_view name() const = 0;

  virtual Position applied() const = 0;

  virtual Status Apply(const schema::Envelope& event, Position position) = 0;

  // True when Apply() reads and writes nothing but this projection's own state and the event:
  // no other projection reads it while applying, and it reads no other. While catching up
  // from the log, the runner may then apply it on a thread of its own, concurrently with the
  // others (each still sees every event once, in position order). False by default.
  virtual bool self_contained() const { return false; }

  // About `count` events are about to be applied in one catch-up from the log. A model may
  // size its tables for them, so that they do not grow (and rehash) along the way. Only a
  // hint: fewer or more may come. Does nothing by default.
  virtual void ExpectEvents(std::uint64_t /*count*/) {}

  virtual std::optional<std::string> Snapshot() const { return std::nullopt; }
  virtual Status Restore(std::string_view /*blob*/) {
    return Status::FailedPrecondition("this projection keeps no snapshots");
  }
};

// Reads the log directly: up to `max` envelopes from position `from` inclusive, in position
// order, the Envelope bytes as stored, unchecked: the runner verifies each one's structure
// and position before any projection sees it, not its hash (see runner.h). An empty run means
// the log has nothing at `from` yet. The gateway binds it to EventStore::ReadRun; it is called
// by the runner (for gaps, catch-ups, and to check Kafka messages against the log), from its
// thread or a helper thread reading ahead, one call at a time.
using LogReader = std::function<Result<schemas::EnvelopeRun>(Position from, std::size_t max)>;

}  // namespace portico::projections
