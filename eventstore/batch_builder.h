// Internal: turns appends into one group-commit WriteBatch (format in keys.h), and holds the
// writer thread's view of the log between batches: the head, its hash, the last recorded
// time and a cache of stream versions.
//
// Use, for each batch: Begin; Add for each append, in order; if has_writes(), Seal and write
// the batch it returns, then call Commit when it is durable or Abandon when it failed. Appends
// added to one batch see each other: a second append to a stream sees the version the first left,
// and a repeated idempotency key the first one's result. An append that is rejected (version
// conflict, idempotency key reused for other events, a failed lookup) writes nothing and consumes
// no position; it does not affect the others, except those of its atomic group (BeginGroup),
// which the writer then rolls back. An append with an expected head is rejected unless the
// head (including the batch so far) is exactly there.
//
// Thread safety: none; the writer thread owns it. The Db and LogReader must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <rocksdb/write_batch.h>

#include "common/status.h"
#include "eventstore/append_request.h"
#include "eventstore/keys.h"

namespace portico::eventstore {

class Db;
class LogReader;

// The state of the log when the writer starts.
struct LogTail {
  HeadRecord head;
  std::int64_t recorded_at_us = 0;  // of the event at the head; 0 on an empty log
};

class BatchBuilder {
 public:
  // Streams beyond `max_cached_streams` make the cache start afresh after a batch.
  BatchBuilder(const Db& db, const LogReader& reader, const LogTail& tail,
               std::size_t max_cached_streams);
  BatchBuilder(const BatchBuilder&) = delete;
  BatchBuilder& operator=(const BatchBuilder&) = delete;

  // Starts a batch of appends holding at most `max_events` events in all.
  void Begin(std::size_t max_events);

  // Decides one append: stamps its envelopes in place and adds them to the batch, or
  // rejects it. The result is provisional until Commit.
  Result<AppendResult> Add(AppendRequest& request);

  // An atomic group (AppendAtomicallyAsync): the Adds between BeginGroup and EndGroup stand
  // or fall together. RollbackGroup takes every one of them back (their entries in the
  // batch, the head, the stream versions, the idempotency keys) as if none had been added;
  // the Adds before BeginGroup stay. Groups do not nest.
  void BeginGroup();
  void EndGroup();
  void RollbackGroup();

  // True when Add added something, so the batch must be written.
  bool has_writes() const { return head_.position != batch_start_.position; }
  // Adds the new head record and returns the batch to write. Call once, after the last Add.
  Result<rocksdb::WriteBatch*> Seal();
  const HeadRecord& head() const { return head_; }

  // The batch is durable: its state becomes the writer's.
  void Commit();
  // The batch was not written: forget it.
  void Abandon();

 private:
  Result<std::uint64_t*> CachedVersion(const StreamId& stream);
  // The earlier result an idempotency key binds, if any; FailedPrecondition for a
  // fingerprint that differs.
  Result<std::optional<AppendResult>> Deduplicate(const AppendRequest& request);
  // Stamps the request's envelopes after the current head and puts them and their stream
  // index entries into the batch, advancing head_. The caller rolls back on failure.
  rocksdb::Status PutEvents(AppendRequest& request, std::uint64_t first_version);
  const std::uint8_t* NextEventId();

  const Db& db_;
  const LogReader& reader_;
  const std::size_t max_cached_streams_;

  HeadRecord head_;              // including the batch so far
  std::int64_t recorded_at_us_;  // of the last event written, including this batch so far
  std::int64_t batch_clock_us_ = 0;  // the wall clock when this batch began
  HeadRecord batch_start_;
  std::int64_t batch_start_recorded_at_us_ = 0;

  // Where the open atomic group began: what RollbackGroup restores.
  struct GroupStart {
    HeadRecord head;
    std::int64_t recorded_at_us = 0;
    std::size_t undo_size = 0;
    std::vector<std::string> keys;  // idempotency keys the group added to batch_keys_
  };
  std::optional<GroupStart> group_;

  rocksdb::WriteBatch batch_;
  std::unordered_map<std::string, std::uint64_t> versions_;        // committed, plus this batch
  std::vector<std::pair<std::uint64_t*, std::uint64_t>> undo_;     // versions_ values to restore
  std::unordered_map<std::string, IdempotencyRecord> batch_keys_;  // keys added by this batch
  std::vector<std::uint8_t> event_ids_;  // random bytes for this batch's event ids
  std::size_t next_event_id_ = 0;
  std::string key_;  // scratch buffers
  std::string value_;
};

}  // namespace portico::eventstore
