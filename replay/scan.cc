#include "replay/scan.h"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "eventstore/keys.h"
#include "replay/log_db.h"

namespace portico::replay {
namespace {

constexpr std::size_t kQueueDepth = 8;

// The batches between the reader and the caller, and the spare ones they recycle.
class BatchQueue {
 public:
  BatchQueue() {
    for (std::size_t i = 0; i < kQueueDepth + 2; ++i) free_.push_back(std::make_unique<EventBatch>());
  }

  // Reader side: a cleared batch to fill, or nullptr once the caller stopped.
  std::unique_ptr<EventBatch> TakeFree() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stopped_ || !free_.empty(); });
    if (stopped_) return nullptr;
    auto batch = std::move(free_.front());
    free_.pop_front();
    batch->Clear();
    return batch;
  }
  void PushFull(std::unique_ptr<EventBatch> batch) {
    std::lock_guard lock(mutex_);
    full_.push_back(std::move(batch));
    changed_.notify_all();
  }
  // True when the caller is behind: the reader should take the preparation on.
  bool CallerBehind() const {
    std::lock_guard lock(mutex_);
    return full_.size() >= kQueueDepth / 2;
  }
  void Finish(Status status) {
    std::lock_guard lock(mutex_);
    done_ = true;
    end_status_ = std::move(status);
    changed_.notify_all();
  }

  // Caller side: the next batch, or nullptr at the end (then end_status()).
  std::unique_ptr<EventBatch> TakeFull() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return done_ || !full_.empty(); });
    if (full_.empty()) return nullptr;
    auto batch = std::move(full_.front());
    full_.pop_front();
    return batch;
  }
  void Recycle(std::unique_ptr<EventBatch> batch) {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(batch));
    changed_.notify_all();
  }
  void Stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    changed_.notify_all();
  }
  Status end_status() const {
    std::lock_guard lock(mutex_);
    return end_status_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<EventBatch>> full_;  // GUARDED_BY(mutex_)
  std::deque<std::unique_ptr<EventBatch>> free_;  // GUARDED_BY(mutex_)
  bool done_ = false;                             // GUARDED_BY(mutex_)
  bool stopped_ = false;                          // GUARDED_BY(mutex_)
  Status end_status_;                             // GUARDED_BY(mutex_)
};

void ReadBatches(const LogDb& db, const ScanOptions& options, BatchQueue& queue) {
  std::unique_ptr<RawCursor> cursor = db.EventCursor(options.from, options.to);
  std::uint64_t expected = options.from.value();
  Status end;
  while (cursor->Valid()) {
    std::unique_ptr<EventBatch> batch = queue.TakeFree();
    if (!batch) return;
    for (; cursor->Valid() && batch->size() < options.batch_events; cursor->Next()) {
      const std::optional<Position> position = eventstore::DecodePosition(cursor->key());
      if (!position) {
        end = Status::Corruption("position " + std::to_string(expected) + ": malformed key of " +
                                 std::to_string(cursor->key().size()) + " bytes where this position should be");
        break;
      }
      batch->Add(position->value(), cursor->value());
      expected = position->value() + 1;
    }
    if (queue.CallerBehind()) batch->Prepare(options.hash);
    queue.PushFull(std::move(batch));
    if (!end.ok()) break;
  }
  if (end.ok()) end = cursor->status();
  queue.Finish(std::move(end));
}

}  // namespace

void EventBatch::Clear() {
  positions_.clear();
  ends_.clear();
  buffer_.clear();
  prepared_ = false;
  hashed_ = false;
}

void EventBatch::Add(std::uint64_t position, std::string_view bytes) {
  positions_.push_back(position);
  buffer_.append(bytes);
  ends_.push_back(static_cast<std::uint32_t>(buffer_.size()));
}

void EventBatch::Prepare(bool hash) {
  if (!prepared_) {
    envelopes_.resize(size());
    for (std::size_t i = 0; i < size(); ++i) {
      auto verified = schemas::VerifyEnvelope(bytes(i));
      envelopes_[i] = verified.ok() ? *verified : nullptr;
    }
    prepared_ = true;
  }
  if (hash && !hashed_) {
    hashes_.resize(size());
    for (std::size_t i = 0; i < size(); ++i) {
      if (envelopes_[i] != nullptr) hashes_[i] = schemas::ComputeEnvelopeHash(bytes(i), *envelopes_[i]);
    }
    hashed_ = true;
  }
}

Status ScanLog(const LogDb& db, const ScanOptions& options, const BatchVisitor& visit) {
  if (options.from > options.to) return Status::Ok();
  BatchQueue queue;
  std::thread reader([&] { ReadBatches(db, options, queue); });
  Status status;
  while (std::unique_ptr<EventBatch> batch = queue.TakeFull()) {
    if (status.ok()) {
      batch->Prepare(options.hash);
      status = visit(*batch);
      if (!status.ok()) queue.Stop();
    }
    queue.Recycle(std::move(batch));
    if (!status.ok()) break;
  }
  queue.Stop();
  reader.join();
  if (!status.ok()) return status;
  return queue.end_status();
}

}  // namespace portico::replay
