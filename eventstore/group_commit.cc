#include "eventstore/group_commit.h"

#include <pthread.h>

#include <optional>

#include "eventstore/db.h"
#include "eventstore/logger.h"
#include "eventstore/wal_sync_watch.h"

namespace portico::eventstore {

GroupCommitWriter::GroupCommitWriter(const Db& db, const LogReader& reader, HeadState& head,
                                     const LogTail& tail, const Options& options)
    : db_(db),
      head_(head),
      sync_(options.sync),
      max_batch_events_(std::max<std::size_t>(options.max_batch_events, 1)),
      builder_(db, reader, tail, options.max_cached_streams),
      thread_([this] { Run(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_one();
  thread_.join();
}

std::uint64_t GroupCommitWriter::Submit(AppendRequest request) {
  std::uint64_t epoch = 0;
  bool accepted = false;
  {
    std::lock_guard lock(mutex_);
    epoch = epoch_;
    if (!stopping_) {
      queue_.push_back(std::move(request));
      accepted = true;
    }
  }
  if (!accepted) {
    request.done(Status::Unavailable("the event store is closing"));
    return epoch;
  }
  work_.notify_one();
  return epoch;
}

void GroupCommitWriter::SubmitAtomically(std::vector<AppendRequest> parts) {
  for (std::size_t i = 0; i < parts.size(); ++i) parts[i].joined_with_next = i + 1 < parts.size();
  bool accepted = false;
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      for (AppendRequest& part : parts) queue_.push_back(std::move(part));
      accepted = true;
    }
  }
  if (!accepted) {
    for (AppendRequest& part : parts) part.done(Status::Unavailable("the event store is closing"));
    return;
  }
  work_.notify_one();
}

namespace {

// The requests from `begin` to the end of the atomic group it begins (just `begin` when it
// is a plain append), as [begin, end) with their event count.
struct Unit {
  std::size_t end = 0;
  std::size_t events = 0;
};
Unit UnitAt(const std::vector<AppendRequest>& requests, std::size_t begin) {
  Unit unit{begin, 0};
  bool joined = true;
  while (joined) {
    unit.events += requests[unit.end].envelopes.size();
    joined = requests[unit.end].joined_with_next;
    ++unit.end;
  }
  return unit;
}

}  // namespace

void GroupCommitWriter::Run() {
  pthread_setname_np(pthread_self(), "portico-writer");  // as seen in top, perf and gdb
  std::vector<AppendRequest> taken;
  for (;;) {
    std::uint64_t epoch = 0;
    {
      std::unique_lock lock(mutex_);
      work_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      taken.swap(queue_);
      epoch = epoch_++;
    }
    // Consecutive appends, up to max_batch_events_ events per batch (an append or atomic
    // group larger than that gets a batch of its own).
    std::size_t begin = 0;
    while (begin < taken.size()) {
      Unit batch = UnitAt(taken, begin);
      while (batch.end < taken.size()) {
        const Unit next = UnitAt(taken, batch.end);
        if (batch.events + next.events > max_batch_events_) break;
        batch = {next.end, batch.events + next.events};
      }
      CommitBatch(std::span(taken).subspan(begin, batch.end - begin), batch.events, epoch);
      begin = batch.end;
    }
    taken.clear();
  }
}

void GroupCommitWriter::CommitBatch(std::span<AppendRequest> requests, std::size_t event_count,
                                    std::uint64_t epoch) {
  builder_.Begin(event_count);
  results_.clear();
  for (std::size_t i = 0; i < requests.size();) {
    if (!broken_.ok()) {
      results_.push_back(broken_);
      ++i;
    } else if (requests[i].joined_with_next) {
      i += AddAtomicGroup(requests.subspan(i));
    } else {
      results_.push_back(builder_.Add(requests[i]));
      ++i;
    }
  }
  if (builder_.has_writes() && WriteAndAnswer(requests, epoch)) return;
  Answer(requests, epoch);
}

std::size_t GroupCommitWriter::AddAtomicGroup(std::span<AppendRequest> requests) {
  const std::size_t first = results_.size();
  builder_.BeginGroup();
  std::size_t parts = 0;
  std::optional<Status> rejected;
  bool joined = true;
  while (joined) {
    AppendRequest& part = requests[parts++];
    joined = part.joined_with_next;
    if (rejected) continue;  // counting the rest of the group
    results_.push_back(builder_.Add(part));
    if (!results_.back().ok()) rejected = results_.back().status();
  }
  if (!rejected) {
    builder_.EndGroup();
    return parts;
  }
  builder_.RollbackGroup();
  results_.erase(results_.begin() + static_cast<std::ptrdiff_t>(first), results_.end());
  results_.insert(results_.end(), parts, Result<AppendResult>(*rejected));
  return parts;
}

bool GroupCommitWriter::WriteAndAnswer(std::span<AppendRequest> requests, std::uint64_t epoch) {
  Result<rocksdb::WriteBatch*> batch = builder_.Seal();
  if (!batch.ok()) {
    // Nothing reached RocksDB: a definite rejection, and the log is as before the batch.
    Logger().error("group commit failed, {} appends rejected: {}", requests.size(),
                   batch.status().ToString());
    builder_.Abandon();
    for (auto& result : results_) result = batch.status();
    return false;
  }
  // Runs inside the Write, once the WAL holding the batch is synced (wal_sync_watch.h).
  auto answer_durable = [&] {
    head_.Acknowledge(builder_.head().position);
    Answer(requests, epoch);
  };
  Status written;
  bool answered = false;
  {
    const WalSyncWatch watch(answer_durable);
    written = Write(**batch, requests.size());
    answered = watch.fired();
  }
  if (written.ok()) {
    builder_.Commit();
    head_.Publish(builder_.head());
  } else if (answered) {
    StopAfterAnsweredBatch(requests.size(), written);
  } else {
    StopWithOutcomeUnknown(requests.size(), written);
  }
  return answered;
}

void GroupCommitWriter::StopAfterAnsweredBatch(std::size_t appends, const Status& written) {
  // The batch is in the synced WAL, so a reopen replays it; but this process's reads would
  // never see it, so the store stops here.
  Logger().critical("RocksDB failed after the WAL made {} appends durable: {}", appends,
                    written.ToString());
  builder_.Commit();
  broken_ = Status::Unavailable(
      "the event log failed after making appends durable; reopen it: " + written.ToString());
  head_.Break(broken_);
}

void GroupCommitWriter::StopWithOutcomeUnknown(std::size_t appends, const Status& written) {
  // RocksDB may have handed the batch to the WAL file before it failed: a failed fdatasync
  // comes after the append, and RocksDB then skips the memtables and stops writing. Those
  // bytes may be on disk, and a restart would replay them, so this is no rejection. Nor can
  // this process take more appends: they would be decided against a log without the batch.
  Logger().critical("RocksDB failed writing {} appends, which may or may not be durable: {}",
                    appends, written.ToString());
  builder_.Abandon();
  const Status unknown = OutcomeUnknown(written.message());
  for (auto& result : results_) result = unknown;
  broken_ = Status::Unavailable(
      "the event log stopped taking appends after a write whose outcome is unknown; restart to "
      "recover: " + written.message());
}

void GroupCommitWriter::Answer(std::span<AppendRequest> requests, std::uint64_t epoch) {
  for (std::size_t i = 0; i < requests.size(); ++i) requests[i].done(std::move(results_[i]));
  signal_.Notify(epoch);  // the later batches of this epoch wake up too, and sleep again
}

Status GroupCommitWriter::Write(rocksdb::WriteBatch& batch, std::size_t appends) {
  rocksdb::WriteOptions options;
  options.sync = sync_;
  const rocksdb::Status s = db_.db()->Write(options, &batch);
  if (!s.ok()) return FromRocksDb(s, "writing a batch of " + std::to_string(appends) + " appends");
  return Status::Ok();
}

}  // namespace portico::eventstore
