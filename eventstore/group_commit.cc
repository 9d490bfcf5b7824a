#include "eventstore/group_commit.h"

#include <pthread.h>

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
    // Consecutive appends, up to max_batch_events_ events per batch (an append larger than
    // that gets a batch of its own).
    std::size_t begin = 0;
    while (begin < taken.size()) {
      std::size_t end = begin;
      std::size_t events = 0;
      do {
        events += taken[end].envelopes.size();
        ++end;
      } while (end < taken.size() && events + taken[end].envelopes.size() <= max_batch_events_);
      CommitBatch(std::span(taken).subspan(begin, end - begin), events, epoch);
      begin = end;
    }
    taken.clear();
  }
}

void GroupCommitWriter::CommitBatch(std::span<AppendRequest> requests, std::size_t event_count,
                                    std::uint64_t epoch) {
  builder_.Begin(event_count);
  results_.clear();
  for (AppendRequest& request : requests) {
    results_.push_back(broken_.ok() ? builder_.Add(request) : Result<AppendResult>(broken_));
  }
  if (builder_.has_writes()) {
    // Runs inside the Write, once the WAL holding the batch is synced (wal_sync_watch.h).
    auto answer_durable = [&] {
      head_.Acknowledge(builder_.head().position);
      Answer(requests, epoch);
    };
    Status written;
    bool answered = false;
    {
      const WalSyncWatch watch(answer_durable);
      written = WriteDurably(requests.size());
      answered = watch.fired();
    }
    if (written.ok()) {
      builder_.Commit();
      head_.Publish(builder_.head());
    } else if (answered) {
      // The batch is in the synced WAL, so a reopen replays it; but this process's reads
      // would never see it, so the store stops here.
      Logger().critical("RocksDB failed after the WAL made {} appends durable: {}",
                        requests.size(), written.ToString());
      builder_.Commit();
      broken_ = Status::Unavailable(
          "the event log failed after making appends durable; reopen it: " + written.ToString());
      head_.Break(broken_);
    } else {
      Logger().error("group commit failed, {} appends rejected: {}", requests.size(),
                     written.ToString());
      builder_.Abandon();
      for (auto& result : results_) result = written;
    }
    if (answered) return;
  }
  Answer(requests, epoch);
}

void GroupCommitWriter::Answer(std::span<AppendRequest> requests, std::uint64_t epoch) {
  for (std::size_t i = 0; i < requests.size(); ++i) requests[i].done(std::move(results_[i]));
  signal_.Notify(epoch);  // the later batches of this epoch wake up too, and sleep again
}

Status GroupCommitWriter::WriteDurably(std::size_t appends) {
  ASSIGN_OR_RETURN(rocksdb::WriteBatch * batch, builder_.Seal());
  rocksdb::WriteOptions options;
  options.sync = sync_;
  const rocksdb::Status s = db_.db()->Write(options, batch);
  if (!s.ok()) return FromRocksDb(s, "writing a batch of " + std::to_string(appends) + " appends");
  return Status::Ok();
}

}  // namespace portico::eventstore
