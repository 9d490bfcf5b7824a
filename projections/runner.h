// The projection runner: one Kafka consumer of the events topic feeding one or more
// projections, strictly in global position order, with catch-up from the log.
//
// How events reach a projection (see also eventstore/relay.h):
// - The runner assigns itself every partition of the topic (assign(), no consumer group
//   rebalancing; the group id is only a librdkafka requirement, nothing is committed) and
//   starts at `start_offset` (the beginning by default, or an offset saved from Stats()). When
//   that offset is gone (retention, the embedded broker's 5 MiB cap) it starts at the earliest
//   offset still there. It assigns them once the broker names them: until then (the broker is
//   down, the topic does not exist yet) it consumes nothing from Kafka and asks again, after a
//   pause that doubles from 100 ms up to 5 s (the log catch-up and fallback still work).
// - Every message is verified before anything reads it: the value must be a valid Envelope
//   (schemas::VerifyEnvelope) whose hash matches its bytes, with a non-zero position; the
//   `position` header must be present and equal the envelope's position; the `stream` header
//   and the key, when present, must equal its stream id. A message that fails (corrupt bytes, a
//   foreign producer, a lying header) is logged with its partition and offset, counted in
//   Stats().rejected and skipped. No projection sees it.
// - The log is the authority, Kafka only the transport: a producer to the topic can send a
//   well-formed envelope with a correctly recomputed hash (the hash is unkeyed). So before a
//   verified message is applied (not for a duplicate), its bytes must equal those of the log's
//   event at its position. A message the log does not hold (beyond its head) or that differs
//   from it is skipped the same way (logged with topic, partition, offset and position,
//   counted in Stats().rejected); the genuine event still comes, through Kafka or from the log
//   as a gap. The runner reads the log for this a batch at a time (log_batch events from the
//   message's position) and keeps the batch, so a backlog from Kafka costs one log read per
//   batch, and an event at the head one read. If the log cannot be read the message is not
//   applied either (counted in log_errors); a later one fills the gap.
// - A verified event at position p is applied to each projection whose applied() is p - 1.
//   p <= applied() is a duplicate (the relay is at-least-once) and is skipped. p > applied() + 1
//   is a gap: Kafka lost history, the projection is new or was restored from an older snapshot.
//   The runner reads the missing positions from the log through the LogReader, applies them,
//   then applies p. So a projection never skips an event and never applies one twice.
// - Events from the LogReader (EventStore::ReadRun) come unchecked. The runner verifies each
//   one's structure and position before any projection sees it, but unlike a Kafka message's
//   it does not recompute its hash. Kafka is a shared transport that others can produce to
//   (hence the check above); the log is the read models' own source on this node's disk,
//   trusted as their snapshots are (which carry no hash either). Damage on disk fails RocksDB's block checksums; tampering
//   is what the hash chain is for (portico-replay verify, the store's check of its tail at
//   open). Recomputing every hash would cost about 0.85 µs per event, a third of a catch-up.
//   While it applies one batch from the log, a helper thread reads and verifies the next. A projection's position, as waiters and Stats() see it, advances once per batch
//   from the log (and once per event from Kafka).
//   During a long catch-up (a full first batch), each self-contained projection
//   (Projection::self_contained: the audit model) is applied on a thread of its own, fed the
//   same verified batches in order, while the others (access, and alerts, which reads the access
//   model) are applied on the runner thread: each projection still sees every event once, in
//   position order, so the models are exactly those of a sequential fold.
// - At start (by default) the runner first catches up from the log to its current end, which
//   is faster than Kafka for a new or stale projection, then follows Kafka.
// - Optionally (`log_fallback_after` > 0), when a caller waits for a position that Kafka has
//   not brought for that long (the broker is down, the relay is behind), the runner reads it
//   from the log. Off by default: Kafka is the transport.
// - With `snapshot_dir` set, each projection that supports snapshots is restored from
//   <snapshot_dir>/<name>.snapshot at Start() and saved every `snapshot_interval` (when it
//   advanced) and at Stop(). The model and its position travel as one blob, so a restart
//   resumes at exactly the saved position.
//
// Freshness: WaitForPosition(p, bound) blocks until the projections have applied p, for at most
// `bound`; it returns false when the bound runs out. AwaitPosition says why, as an Unavailable
// status the gateway can return (HTTP 503).
//
// Thread safety: the projections are applied on the runner's own thread (self-contained ones
// on a helper thread during a catch-up, see above); applied(),
// WaitForPosition(), AwaitPosition() and Stats() may be called from any thread. The projections
// and whatever the LogReader uses must outlive the runner. Stop() (also run by the destructor)
// takes at most about `poll_timeout` (0.5 s while the topic's partitions are still being
// asked for) plus the final snapshot writes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/strong_type.h"
#include "projections/projection.h"

namespace portico::projections {

// Special values for RunnerOptions::start_offset (librdkafka's logical offsets).
inline constexpr std::int64_t kOffsetBeginning = -2;
inline constexpr std::int64_t kOffsetEnd = -1;

struct RunnerOptions {
  std::string bootstrap_servers;
  std::string topic = "portico.events";
  std::string client_id = "portico-projections";
  std::string group_id = "portico-projections";
  // Extra librdkafka properties (security.*, sasl.*), applied after portico's own.
  std::vector<std::pair<std::string, std::string>> kafka_properties;
  // Where to start reading every partition.
  std::int64_t start_offset = kOffsetBeginning;
  bool catch_up_from_log_at_start = true;
  std::size_t log_batch = 1024;  // events per LogReader call
  // Optional: the log's last position. With it, a long catch-up from the log first tells each
  // projection how many events it is about to apply (Projection::ExpectEvents).
  std::function<Position()> log_head;
  // Snapshots; empty: none.
  std::string snapshot_dir;
  std::chrono::milliseconds snapshot_interval{5000};
  // 0: never read the log on behalf of a waiter (only to fill gaps and at start).
  std::chrono::milliseconds log_fallback_after{0};
  std::chrono::milliseconds poll_timeout{50};
};

struct ProjectionStats {
  std::string name;
  Position applied;
  bool halted = false;
  std::string halt_reason;
};

struct RunnerStats {
  Position applied;  // the lowest applied() among the projections
  std::vector<ProjectionStats> projections;
  std::uint64_t messages = 0;            // consumed from Kafka (excluding errors)
  std::uint64_t applied_from_kafka = 0;  // events applied as they came from Kafka
  std::uint64_t applied_from_log = 0;    // events read from the log (catch-up, gaps)
  std::uint64_t duplicates = 0;          // already-applied positions skipped
  std::uint64_t rejected = 0;            // corrupt, foreign or not-the-log's messages skipped
  std::uint64_t gaps = 0;                // gaps filled from the log
  std::uint64_t consumer_errors = 0;     // errors reported by the consumer
  std::uint64_t log_errors = 0;          // failed LogReader calls or bad log data
  // Partition 0: the offset after the last message consumed (-1001 before the first); a caller
  // may save it and pass it as start_offset next time.
  std::int64_t next_offset = -1001;
};

class ProjectionRunner {
 public:
  // Restores snapshots (if configured), creates the consumer and starts the thread. Fails with
  // InvalidArgument for bad options (no projections, duplicate names, no log reader, a bad
  // Kafka property) and with the snapshot's error if one is damaged (delete it to rebuild).
  static Result<std::unique_ptr<ProjectionRunner>> Start(RunnerOptions options,
                                                         std::vector<Projection*> projections,
                                                         LogReader log);

  ~ProjectionRunner();
  ProjectionRunner(const ProjectionRunner&) = delete;
  ProjectionRunner& operator=(const ProjectionRunner&) = delete;

  void Stop();  // idempotent

  // The lowest applied() among the projections (or `projection`'s, when named).
  Position applied(std::string_view projection = {}) const;

  // True once applied(projection) >= p; false when `bound` runs out first (or the projection
  // is unknown).
  bool WaitForPosition(Position p, std::chrono::milliseconds bound,
                       std::string_view projection = {}) const;

  // WaitForPosition as a Status: OK, or Unavailable("... at position X, asked for P, waited N
  // ms"), naming a halted projection if one is in the way.
  Status AwaitPosition(Position p, std::chrono::milliseconds bound,
                       std::string_view projection = {}) const;

  RunnerStats Stats() const;

 private:
  class Impl;
  explicit ProjectionRunner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace portico::projections
