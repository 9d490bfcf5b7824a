// The event log: portico's source of truth, stored in RocksDB.
//
// Contract:
// - Append(stream, expected, envelopes, idempotency_key) appends the envelopes (built by
//   schemas::EncodeEnvelope for that stream) atomically: all of them or none. The store
//   stamps each with its event id, stream version, global position, commit time, previous
//   hash and own hash (schemas/envelope.h). The call returns only once the events are
//   durable (RocksDB WriteBatch with sync=true).
// - Concurrent appends are gathered by one writer thread into a single synced WriteBatch
//   (group commit). Each append is acknowledged only once its batch is durable. Every read
//   (including Head) made after an append was acknowledged sees that append.
// - Global positions start at 1 and are gapless and strictly increasing. Recorded times never
//   decrease along the log, so PositionAt(time) is well defined.
// - AppendAtomicallyAsync appends to several streams at once, all of it or none.
// - Expected version: Any, NoStream, StreamExists or Exact(v). A mismatch is an Aborted
//   status carrying the stream's current version.
// - Stream ids are 1 to 1024 bytes with no NUL byte; idempotency keys at most 1024 bytes
//   (the empty key means none). Other ids are InvalidArgument.
// - Idempotency keys are global and durable. The same key with the same envelope bytes
//   returns the first append's result (with `deduplicated` set) and appends nothing, also
//   after a restart; the same key with other bytes is FailedPrecondition.
// - Every value read back is verified before use (FlatBuffers verification, position field,
//   own hash); damaged bytes give a Corruption status that names the position.
// - A store opened read_only never writes; Append fails with FailedPrecondition.
//
// The on-disk format is described in eventstore/keys.h.
//
// Thread safety: every method may be called from any thread. The EventStore must outlive
// every call into it; the destructor waits for in-flight appends.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/strong_type.h"
#include "schemas/envelope.h"
#include "schemas/envelope_run.h"

namespace portico::eventstore {

class ExpectedVersion {
 public:
  enum class Kind : std::uint8_t { kAny, kNoStream, kStreamExists, kExact };
  static ExpectedVersion Any() { return ExpectedVersion(Kind::kAny, 0); }
  static ExpectedVersion NoStream() { return ExpectedVersion(Kind::kNoStream, 0); }
  static ExpectedVersion StreamExists() { return ExpectedVersion(Kind::kStreamExists, 0); }
  static ExpectedVersion Exact(StreamVersion v) { return ExpectedVersion(Kind::kExact, v.value()); }

  Kind kind() const { return kind_; }
  StreamVersion version() const { return StreamVersion(version_); }
  // True when a stream at `current` (0: no stream) satisfies this expectation.
  bool Matches(StreamVersion current) const;

 private:
  ExpectedVersion(Kind k, std::uint64_t v) : kind_(k), version_(v) {}
  Kind kind_;
  std::uint64_t version_;
};

struct AppendResult {
  Position first_position;     // of the first appended event
  Position last_position;      // of the last: the consistency token a command replies with
  StreamVersion stream_version;  // the stream's version after the append
  bool deduplicated = false;   // an earlier append with the same idempotency key
  std::int64_t recorded_at_us = 0;  // recorded in its events; 0 when deduplicated
};

// Conditions and hints for AppendAsync beyond the stream's expected version.
struct AppendOptions {
  std::string idempotency_key;  // empty: none
  // When set, the append goes in only if the log's head is exactly this position just before
  // it (Aborted otherwise). A writer that decides against its own view of the whole log (the
  // gateway's command processor, which queues appends before the earlier ones are durable)
  // uses it so that none of its appends lands after one of its earlier appends failed.
  std::optional<Position> expected_head;
  // When non-zero, the time (µs since the epoch) to record in the append's events instead of
  // the store's clock; the store records max(this, the last recorded time), so recorded times
  // still never decrease. Lets that writer fold its events before they are stored.
  std::int64_t recorded_at_us = 0;
};

// One stream's part of an append across streams (EventStore::AppendAtomicallyAsync).
struct StreamAppend {
  StreamId stream;
  ExpectedVersion expected = ExpectedVersion::Any();
  std::vector<std::string> envelopes;  // as for Append: built for `stream`, non-empty
  AppendOptions options;
};

// One event read back from the log. `envelope()` is valid while this object lives and is
// unmoved... after a move, call envelope() again (it re-derives from `bytes`).
struct StoredEvent {
  Position position;
  std::string bytes;  // verified Envelope bytes, exactly as stored
  const schema::Envelope& envelope() const { return *schema::GetEnvelope(bytes.data()); }
};

enum class Direction : std::uint8_t { kForward, kBackward };

struct Options {
  std::string dir;                      // created when missing
  bool sync = true;                     // false only for tests that measure something else
  std::size_t max_batch_events = 4096;  // cap on one group-commit WriteBatch
  std::size_t verify_tail_events = 1024;  // chain tail verified at Open
  bool read_only = false;               // open without writing (auditors, replay)
  std::size_t max_cached_streams = 1 << 18;  // stream versions the writer keeps in memory
  // Keep zeros written ahead of the RocksDB WAL, so each batch's fdatasync writes no file
  // metadata (eventstore/prezeroed_wal.h); only with `sync`. false only to measure what it
  // saves.
  bool zero_wal_ahead = true;
};

class EventStore {
 public:
  using AppendCallback = std::function<void(Result<AppendResult>)>;
  using AtomicAppendCallback = std::function<void(Result<std::vector<AppendResult>>)>;

  // Opens (or creates) the log in options.dir, recovers the head, and verifies the tail of the
  // hash chain. Fails with Corruption if the tail does not verify.
  static Result<std::unique_ptr<EventStore>> Open(const Options& options);

  virtual ~EventStore() = default;
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Blocking append; see the contract above. `envelopes` must be non-empty, each one built
  // by schemas::EncodeEnvelope with stream_id == stream (InvalidArgument otherwise). The
  // store stamps the envelopes itself; their store-assigned fields are ignored.
  // Errors: Aborted (version conflict, with current_version), FailedPrecondition (the
  // idempotency key was used for other events, or the store is read-only), InvalidArgument,
  // Unavailable (closing, or RocksDB failed to write). When RocksDB fails while writing
  // the batch (a failed WAL sync, say), the append may or may not be durable: a restart may
  // replay it. The Unavailable then says so, and the store takes no more appends until it is
  // restarted (reads go on, without the batch). An idempotency key makes the retry after the
  // restart safe.
  virtual Result<AppendResult> Append(const StreamId& stream, ExpectedVersion expected,
                                      std::vector<std::string> envelopes,
                                      std::string_view idempotency_key = {}) = 0;

  // Non-blocking append: `done` runs on the writer thread once the batch is durable (or the
  // append is rejected with its batch). `done` must be quick, must not throw, must not
  // call Append synchronously and must not read the store: it runs before the batch is
  // readable, so reads from it fail with FailedPrecondition (Head() stays before the batch).
  // An append that fails validation (see Append) or reaches a closing or read-only store
  // gets `done` called at once, on the calling thread.
  void AppendAsync(const StreamId& stream, ExpectedVersion expected,
                   std::vector<std::string> envelopes, std::string idempotency_key,
                   AppendCallback done) {
    AppendAsync(stream, expected, std::move(envelopes),
                AppendOptions{std::move(idempotency_key), std::nullopt, 0}, std::move(done));
  }
  // The same, with AppendOptions (see there).
  virtual void AppendAsync(const StreamId& stream, ExpectedVersion expected,
                           std::vector<std::string> envelopes, AppendOptions options,
                           AppendCallback done) = 0;

  // Appends the parts, in order, all of them or none: they go into one synced WriteBatch
  // (a batch of their own when they hold more than max_batch_events), so a crash cannot
  // leave some of them durable without the others. Each part is checked as an AppendAsync
  // would be, after the parts before it: its expected version, its expected head (which
  // counts the earlier parts' events) and its idempotency key, by which a part can be
  // answered from an earlier append (deduplicated, appending nothing) while the others go
  // in. When one part is rejected, none is appended, and `done` gets that part's error.
  // Otherwise `done` gets one result per part, in order. `done` runs as AppendAsync's does;
  // an invalid part (InvalidArgument naming it), an empty `parts` or a read-only or closing
  // store get it called at once, on the calling thread.
  virtual void AppendAtomicallyAsync(std::vector<StreamAppend> parts,
                                     AtomicAppendCallback done) = 0;

  // Up to `max` events of `stream`, starting at version `from` inclusive, going forwards or
  // backwards. Backwards from StreamVersion(UINT64_MAX) starts at the newest event; forwards
  // from StreamVersion(0) at the first.
  virtual Result<std::vector<StoredEvent>> ReadStream(const StreamId& stream,
                                                      StreamVersion from, Direction direction,
                                                      std::size_t max) const = 0;

  // Up to `max` events of the whole log from position `from` inclusive (0 means 1), in order;
  // fewer at the end of the log.
  virtual Result<std::vector<StoredEvent>> ReadAll(Position from, std::size_t max) const = 0;

  // For bulk readers of the whole log (a read model's catch-up): up to `max` events from
  // position `from` inclusive (0 means 1), in order, packed in one run; fewer at the end of
  // the log. Their positions are gapless (a hole is a Corruption naming it), but unlike
  // ReadAll's, their bytes are NOT checked: the reader verifies each envelope's structure
  // and position before it reads it, and nobody recomputes its hash. Damage on disk is still
  // caught, by RocksDB's block checksums; the hash chain is what auditors check (VerifyRange,
  // portico-replay verify), and the store checks its tail at open.
  virtual Result<schemas::EnvelopeRun> ReadRun(Position from, std::size_t max) const = 0;

  // The last position whose recorded time (µs since the epoch, UTC) is <= time_us;
  // Position(0) when none is. A binary search: O(log head) verified reads.
  virtual Result<Position> PositionAt(std::int64_t time_us) const = 0;

  // The current version of `stream` (StreamVersion(0) when it has no events).
  virtual Result<StreamVersion> CurrentVersion(const StreamId& stream) const = 0;

  // The last durable position (Position(0) on an empty log) and its hash.
  virtual Position Head() const = 0;
  virtual schemas::Hash HeadHash() const = 0;

  // Blocks until Head() > after, or the timeout passes. Returns the head it saw.
  virtual Position WaitForPositionAfter(Position after,
                                        std::chrono::milliseconds timeout) const = 0;

  // Verifies the hash chain, the envelopes and positions over [from, to] inclusive
  // (from = 0 means 1; to = Position(0) means up to the head): see eventstore/verify.h for
  // every check. The error is a Corruption naming the first bad position ("position 1234:
  // ..."); InvalidArgument for a range beyond the head. OK on an empty log.
  virtual Status VerifyRange(Position from, Position to) const = 0;

 protected:
  EventStore() = default;
};

// The status of an append whose outcome is unknown (see Append): Unavailable, with
// `what_failed` and a sentence saying that the append may or may not be durable. Callers
// must not answer it as "not stored": IsOutcomeUnknown tells it apart from other failures.
Status OutcomeUnknown(std::string_view what_failed);
bool IsOutcomeUnknown(const Status& status);

}  // namespace portico::eventstore
