// Internal: the EventStore over RocksDB (EventStore::Open returns one). It ties together the
// database (db.h), the reads (log_reader.h), verification (verify.h) and the group-commit
// writer (group_commit.h); the contract is event_store.h's.
#pragma once

#include <memory>

#include "eventstore/append_request.h"
#include "eventstore/db.h"
#include "eventstore/event_store.h"
#include "eventstore/group_commit.h"
#include "eventstore/head.h"
#include "eventstore/log_reader.h"

namespace portico::eventstore {

class RocksDbEventStore final : public EventStore {
 public:
  // As EventStore::Open; a writable store writes through `file_system` (Db::Open), which
  // tests use to inject faults.
  static Result<std::unique_ptr<EventStore>> Open(
      const Options& options, std::shared_ptr<rocksdb::FileSystem> file_system = nullptr);
  ~RocksDbEventStore() override;

  Result<AppendResult> Append(const StreamId& stream, ExpectedVersion expected,
                              std::vector<std::string> envelopes,
                              std::string_view idempotency_key) override;
  using EventStore::AppendAsync;
  void AppendAsync(const StreamId& stream, ExpectedVersion expected,
                   std::vector<std::string> envelopes, AppendOptions options,
                   AppendCallback done) override;
  void AppendAtomicallyAsync(std::vector<StreamAppend> parts, AtomicAppendCallback done) override;
  Result<std::vector<StoredEvent>> ReadStream(const StreamId& stream, StreamVersion from,
                                              Direction direction, std::size_t max) const override;
  Result<std::vector<StoredEvent>> ReadAll(Position from, std::size_t max) const override;
  Result<schemas::EnvelopeRun> ReadRun(Position from, std::size_t max) const override;
  Result<Position> PositionAt(std::int64_t time_us) const override;
  Result<StreamVersion> CurrentVersion(const StreamId& stream) const override;
  Position Head() const override;
  schemas::Hash HeadHash() const override;
  Position WaitForPositionAfter(Position after, std::chrono::milliseconds timeout) const override;
  Status VerifyRange(Position from, Position to) const override;

 private:
  RocksDbEventStore(const Options& options, std::unique_ptr<Db> db);

  // Validates an append and makes its request (without a callback).
  Result<AppendRequest> MakeRequest(const StreamId& stream, ExpectedVersion expected,
                                    std::vector<std::string> envelopes,
                                    AppendOptions options) const;

  // Waits until every answered append is readable (head.h): a caller may read right after
  // its append was answered. FailedPrecondition on the writer thread, which would wait for
  // itself.
  Status SeeAnsweredAppends() const;

  // Checks the format record, the head against the stored events, and the chain's tail;
  // returns the tail the writer starts from.
  Result<LogTail> Recover();

  const Options options_;
  const std::unique_ptr<Db> db_;
  const LogReader reader_;
  HeadState head_;
  std::unique_ptr<GroupCommitWriter> writer_;  // null when read-only
};

}  // namespace portico::eventstore
