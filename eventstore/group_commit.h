// Internal: the one writer thread of the log (group commit).
//
// Any thread Submits appends. The writer takes every append waiting, in arrival order,
// builds them into as few WriteBatches as `max_batch_events` allows (BatchBuilder; the parts
// of an atomic append are never split between batches, and get a batch of their own when
// they hold more events than that), and
// writes each batch with one RocksDB Write (sync=true unless options say otherwise). As soon
// as the batch is durable, it answers the batch's appends: it runs their callbacks, in order,
// and wakes the blocking appenders of the batch with one system call (batch_signal.h). With
// sync, that is inside the Write, once the WAL holding the batch is synced and before RocksDB
// fills its memtables (wal_sync_watch.h); the head is acknowledged then, and published
// (HeadState) when the Write returns. Without sync, it answers after the Write.
// Rejected appends are answered with their batch, so no caller ever sees a result that a
// crash could take back. If the batch fails before it reaches RocksDB (it cannot be sealed),
// every append of that batch fails with its error and the log's state is as before the batch.
// If RocksDB's Write fails before the batch is durable, the batch may still be in the WAL
// file (a failed fdatasync comes after the append), and a restart may replay it: every
// append of the batch fails with Unavailable saying that it may or may not be durable, and
// the store refuses every later append (reads go on, without the batch) until a restart.
// If the Write fails after the batch is durable (RocksDB could not fill its memtables), the
// appends stay answered, and the store refuses every later append and read
// (HeadState::Break): a reopen replays the batch from the WAL.
//
// Lifetime: the Db, LogReader and HeadState must outlive the writer. The destructor stops
// taking appends (later ones fail with Unavailable), finishes every append already queued
// and joins the thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "eventstore/append_request.h"
#include "eventstore/batch_builder.h"
#include "eventstore/batch_signal.h"
#include "eventstore/event_store.h"
#include "eventstore/head.h"

namespace portico::eventstore {

class GroupCommitWriter {
 public:
  GroupCommitWriter(const Db& db, const LogReader& reader, HeadState& head, const LogTail& tail,
                    const Options& options);
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Queues `request` (validated by ValidateAppend) and returns its epoch (batch_signal.h).
  // Its `done` runs on the writer thread (before RocksDB's reads see the batch), or at once
  // on this thread when the writer is stopping.
  std::uint64_t Submit(AppendRequest request);

  // Queues the parts of an atomic append (AppendAtomicallyAsync), each validated, together:
  // they are kept in one batch and go in all or none (it sets their joined_with_next). When
  // the writer is stopping, each part's `done` runs at once.
  void SubmitAtomically(std::vector<AppendRequest> parts);

  // True on the writer thread (in an append's callback), where a read must not wait for the
  // batch being answered.
  bool OnWriterThread() const { return std::this_thread::get_id() == thread_.get_id(); }

  // For blocking appends: waits until `finished`, which the request's `done` must set, is
  // true. The writer wakes all waiters of a batch with one system call.
  void Wait(std::uint64_t epoch, const std::atomic<bool>& finished) {
    signal_.Wait(epoch, finished);
  }

 private:
  void Run();
  void CommitBatch(std::span<AppendRequest> requests, std::size_t event_count,
                   std::uint64_t epoch);
  // Adds the atomic group that begins at requests[0] to the batch, or none of it, and
  // pushes a result per part to results_ (every part the rejected one's error when one is
  // rejected). Returns the number of parts.
  std::size_t AddAtomicGroup(std::span<AppendRequest> requests);
  // Runs the callbacks of `requests` with results_, then wakes their blocking appenders.
  void Answer(std::span<AppendRequest> requests, std::uint64_t epoch);
  // Seals and writes the builder's batch, answering its appends inside the Write once it is
  // durable; true if it did. Otherwise results_ hold the answers.
  bool WriteAndAnswer(std::span<AppendRequest> requests, std::uint64_t epoch);
  // OK once RocksDB wrote `batch` (synced, with sync_).
  Status Write(rocksdb::WriteBatch& batch, std::size_t appends);
  // After a failed Write: the store takes no more appends (broken_).
  void StopAfterAnsweredBatch(std::size_t appends, const Status& written);
  void StopWithOutcomeUnknown(std::size_t appends, const Status& written);

  const Db& db_;
  HeadState& head_;
  const bool sync_;
  const std::size_t max_batch_events_;
  BatchBuilder builder_;                       // writer thread only
  std::vector<Result<AppendResult>> results_;  // writer thread only
  Status broken_;  // writer thread only: not OK once a Write failed
  BatchSignal signal_;

  std::mutex mutex_;
  std::condition_variable work_;
  std::vector<AppendRequest> queue_;  // GUARDED_BY(mutex_)
  std::uint64_t epoch_ = 0;           // GUARDED_BY(mutex_): takes of the queue so far
  bool stopping_ = false;             // GUARDED_BY(mutex_)
  std::thread thread_;                // last: starts once the rest is built
};

}  // namespace portico::eventstore
