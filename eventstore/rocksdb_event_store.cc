#include "eventstore/rocksdb_event_store.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <optional>

#include <sodium.h>

#include "eventstore/append_request.h"
#include "eventstore/chain.h"
#include "eventstore/logger.h"
#include "eventstore/verify.h"

namespace portico::eventstore {

Result<std::unique_ptr<EventStore>> EventStore::Open(const Options& options) {
  return RocksDbEventStore::Open(options);
}

Result<std::unique_ptr<EventStore>> RocksDbEventStore::Open(
    const Options& options, std::shared_ptr<rocksdb::FileSystem> file_system) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  if (options.dir.empty()) return Status::InvalidArgument("the event store needs a directory");
  if (!options.read_only) {
    std::error_code error;
    std::filesystem::create_directories(options.dir, error);
    if (error) return Status::Unavailable("creating " + options.dir + ": " + error.message());
  }
  // The zeros only spare each batch's fdatasync some work: without syncs they would be I/O
  // for nothing.
  ASSIGN_OR_RETURN(std::unique_ptr<Db> db,
                   Db::Open(options.dir, options.read_only, options.zero_wal_ahead && options.sync,
                            std::move(file_system)));
  std::unique_ptr<RocksDbEventStore> store(new RocksDbEventStore(options, std::move(db)));
  Result<LogTail> tail = store->Recover();
  if (!tail.ok()) {
    Logger().error("cannot open the event log in {}: {}", options.dir, tail.status().ToString());
    return tail.status();
  }
  store->head_.Publish(tail->head);
  if (!options.read_only) {
    store->writer_ = std::make_unique<GroupCommitWriter>(*store->db_, store->reader_, store->head_,
                                                         *tail, options);
  }
  Logger().info("opened the event log in {}{}: head {}", options.dir,
                options.read_only ? " read-only" : "", tail->head.position.value());
  return std::unique_ptr<EventStore>(std::move(store));
}

RocksDbEventStore::RocksDbEventStore(const Options& options, std::unique_ptr<Db> db)
    : options_(options), db_(std::move(db)), reader_(*db_) {}

RocksDbEventStore::~RocksDbEventStore() {
  writer_.reset();  // finishes queued appends before the database closes
}

Result<LogTail> RocksDbEventStore::Recover() {
  ASSIGN_OR_RETURN(const Position last, reader_.LastStoredPosition());
  ASSIGN_OR_RETURN(const std::optional<std::string> format, reader_.ReadMeta(kFormatKey));
  if (!format) {
    if (last.value() != 0) return Status::Corruption("the log holds events but no format record");
    if (!options_.read_only) {
      rocksdb::WriteOptions write;
      write.sync = options_.sync;
      const rocksdb::Status s = db_->db()->Put(write, db_->meta(), kFormatKey,
                                               std::string(1, static_cast<char>(kFormatVersion)));
      if (!s.ok()) return FromRocksDb(s, "writing the format record");
    }
  } else if (*format != std::string(1, static_cast<char>(kFormatVersion))) {
    return Status::FailedPrecondition("the log is not in format " + std::to_string(kFormatVersion) +
                                      ", the only one this build reads");
  }

  ASSIGN_OR_RETURN(const std::optional<HeadRecord> head_record, reader_.ReadHead());
  LogTail tail;
  tail.head = head_record.value_or(HeadRecord{});
  const Position head = tail.head.position;
  if (last > head) {
    return CorruptionAt(Position(head.value() + 1),
                        "stored after the head record's position " + std::to_string(head.value()));
  }
  if (last < head) {
    return CorruptionAt(Position(last.value() + 1),
                        "missing (the head record says " + std::to_string(head.value()) + ")");
  }
  if (head.value() == 0) return tail;

  const std::uint64_t checked = std::min<std::uint64_t>(options_.verify_tail_events, head.value());
  if (checked > 0) {
    RETURN_IF_ERROR(VerifyLogRange(reader_, Position(head.value() - checked + 1), head, tail.head));
  }
  ASSIGN_OR_RETURN(const StoredEvent newest, reader_.ReadAt(head));
  if (schemas::ToHash(newest.envelope().hash()) != tail.head.hash) {
    return CorruptionAt(head, "hash differs from the one the head record holds");
  }
  tail.recorded_at_us = newest.envelope().recorded_at_us();
  return tail;
}

Result<AppendRequest> RocksDbEventStore::MakeRequest(const StreamId& stream,
                                                     ExpectedVersion expected,
                                                     std::vector<std::string> envelopes,
                                                     AppendOptions options) const {
  if (!writer_) return Status::FailedPrecondition("the event store is open read-only");
  RETURN_IF_ERROR(ValidateAppend(stream, envelopes, options.idempotency_key));
  AppendRequest request{stream,  expected, std::move(envelopes), std::move(options.idempotency_key),
                        {},      nullptr,  options.expected_head, options.recorded_at_us};
  if (!request.idempotency_key.empty()) {
    request.fingerprint = AppendFingerprint(request.stream, request.envelopes);
  }
  return request;
}

Result<AppendResult> RocksDbEventStore::Append(const StreamId& stream, ExpectedVersion expected,
                                               std::vector<std::string> envelopes,
                                               std::string_view idempotency_key) {
  ASSIGN_OR_RETURN(AppendRequest request,
                   MakeRequest(stream, expected, std::move(envelopes),
                               AppendOptions{std::string(idempotency_key), std::nullopt, 0}));
  // The writer's last touch of this stack frame is setting `finished` (batch_signal.h).
  struct Waiter {
    std::optional<Result<AppendResult>> result;
    std::atomic<bool> finished{false};
  } waiter;
  request.done = [&waiter](Result<AppendResult> result) {
    waiter.result.emplace(std::move(result));
    waiter.finished.store(true, std::memory_order_release);
  };
  const std::uint64_t epoch = writer_->Submit(std::move(request));
  writer_->Wait(epoch, waiter.finished);
  return std::move(*waiter.result);
}

void RocksDbEventStore::AppendAsync(const StreamId& stream, ExpectedVersion expected,
                                    std::vector<std::string> envelopes, AppendOptions options,
                                    AppendCallback done) {
  Result<AppendRequest> request =
      MakeRequest(stream, expected, std::move(envelopes), std::move(options));
  if (!request.ok()) {
    done(request.status());
    return;
  }
  request->done = std::move(done);
  (void)writer_->Submit(std::move(request).value());
}

namespace {

// Gathers the answers of an atomic append's parts, which the writer gives one by one (all
// on its thread, or all on the caller's when the store is closing), and answers the whole
// once the last part's has come. The writer gives every part the same error when one part
// is rejected, so the first error is the rejected part's.
class AtomicAnswers {
 public:
  AtomicAnswers(std::size_t parts, EventStore::AtomicAppendCallback done)
      : parts_(parts), done_(std::move(done)) {
    results_.reserve(parts);
  }
  void Add(Result<AppendResult> result) {
    if (!result.ok() && error_.ok()) error_ = result.status();
    if (result.ok()) results_.push_back(*result);
    if (++answered_ < parts_) return;
    if (error_.ok()) {
      done_(std::move(results_));
    } else {
      done_(error_);
    }
  }

 private:
  const std::size_t parts_;
  EventStore::AtomicAppendCallback done_;
  std::size_t answered_ = 0;
  std::vector<AppendResult> results_;
  Status error_;
};

}  // namespace

void RocksDbEventStore::AppendAtomicallyAsync(std::vector<StreamAppend> parts,
                                              AtomicAppendCallback done) {
  if (parts.empty()) {
    done(Status::InvalidArgument("an atomic append needs at least one part"));
    return;
  }
  std::vector<AppendRequest> requests;
  requests.reserve(parts.size());
  for (std::size_t i = 0; i < parts.size(); ++i) {
    StreamAppend& part = parts[i];
    Result<AppendRequest> request = MakeRequest(part.stream, part.expected,
                                                std::move(part.envelopes), std::move(part.options));
    if (!request.ok()) {
      const Status& error = request.status();
      done(error.code() == StatusCode::kInvalidArgument
               ? Status::InvalidArgument("part " + std::to_string(i + 1) + " of the atomic append: " +
                                         error.message())
               : error);
      return;
    }
    requests.push_back(std::move(request).value());
  }
  auto answers = std::make_shared<AtomicAnswers>(requests.size(), std::move(done));
  for (AppendRequest& request : requests) {
    request.done = [answers](Result<AppendResult> result) { answers->Add(std::move(result)); };
  }
  writer_->SubmitAtomically(std::move(requests));
}

Status RocksDbEventStore::SeeAnsweredAppends() const {
  if (writer_ == nullptr) return Status::Ok();
  if (writer_->OnWriterThread()) {
    return Status::FailedPrecondition(
        "the event store cannot be read from an append's callback (its batch is not readable "
        "yet)");
  }
  return head_.AwaitAcknowledged();
}

Result<std::vector<StoredEvent>> RocksDbEventStore::ReadStream(const StreamId& stream,
                                                               StreamVersion from,
                                                               Direction direction,
                                                               std::size_t max) const {
  RETURN_IF_ERROR(SeeAnsweredAppends());
  return reader_.ReadStream(stream.value(), from, direction, max);
}

Result<std::vector<StoredEvent>> RocksDbEventStore::ReadAll(Position from, std::size_t max) const {
  RETURN_IF_ERROR(SeeAnsweredAppends());
  return reader_.ReadAll(from, max);
}

Result<schemas::EnvelopeRun> RocksDbEventStore::ReadRun(Position from, std::size_t max) const {
  RETURN_IF_ERROR(SeeAnsweredAppends());
  return reader_.ReadRun(from, max);
}

Result<Position> RocksDbEventStore::PositionAt(std::int64_t time_us) const {
  RETURN_IF_ERROR(SeeAnsweredAppends());
  return reader_.PositionAt(time_us, head_.position());
}

Result<StreamVersion> RocksDbEventStore::CurrentVersion(const StreamId& stream) const {
  RETURN_IF_ERROR(SeeAnsweredAppends());
  return reader_.StreamVersionOf(stream.value());
}

// A failure (a read from an append's callback, a broken store) leaves the head as published.
Position RocksDbEventStore::Head() const {
  (void)SeeAnsweredAppends();
  return head_.position();
}

schemas::Hash RocksDbEventStore::HeadHash() const {
  (void)SeeAnsweredAppends();
  return head_.record().hash;
}

Position RocksDbEventStore::WaitForPositionAfter(Position after,
                                                 std::chrono::milliseconds timeout) const {
  (void)SeeAnsweredAppends();  // as Head(): an answered append counts even with no timeout
  return head_.WaitForPositionAfter(after, timeout);
}

Status RocksDbEventStore::VerifyRange(Position from, Position to) const {
  RETURN_IF_ERROR(SeeAnsweredAppends());
  // One snapshot, so the head record, the events and the stream index agree even while
  // appends go on.
  rocksdb::ManagedSnapshot snapshot(db_->db());
  const LogReader reader(*db_, snapshot.snapshot());
  ASSIGN_OR_RETURN(const std::optional<HeadRecord> head, reader.ReadHead());
  const Position last = head ? head->position : Position(0);
  from = std::max(from, Position(1));
  if (to.value() == 0) to = last;
  if (to.value() == 0) return Status::Ok();  // an empty log
  if (from > to) {
    return Status::InvalidArgument("cannot verify from position " + std::to_string(from.value()) +
                                   " to " + std::to_string(to.value()));
  }
  if (to > last) {
    return Status::InvalidArgument("cannot verify up to position " + std::to_string(to.value()) +
                                   ": the head is " + std::to_string(last.value()));
  }
  Status verified = VerifyLogRange(reader, from, to, to == last ? head : std::nullopt);
  if (!verified.ok()) Logger().warn("verification failed: {}", verified.ToString());
  return verified;
}

}  // namespace portico::eventstore
