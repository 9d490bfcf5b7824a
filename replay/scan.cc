#include "replay/scan.h"

#include <algorithm>
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
// Events per claim: large enough that the atomic counter is no contention, small enough that
// the two threads share a batch evenly.
constexpr std::size_t kChunkEvents = 64;

// The batches between the reader and the caller, and the spare ones they recycle.
class BatchQueue {
 public:
  BatchQueue() {
    for (std::size_t i = 0; i < kQueueDepth + 2; ++i) free_.push_back(std::make_unique<EventBatch>());
  }

  // Reader side: a cleared batch to fill, or nullptr once the caller stopped. While there is
  // none, the reader prepares unclaimed chunks of the queued batches rather than wait.
  std::unique_ptr<EventBatch> TakeFree() {
    for (;;) {
      EventBatch* help = nullptr;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stopped_ || !free_.empty() || (help = Unclaimed()) != nullptr; });
        if (stopped_) return nullptr;
        if (!free_.empty()) {
          auto batch = std::move(free_.front());
          free_.pop_front();
          batch->Clear();
          return batch;
        }
      }
      // Safe without the lock: only this (the reader's) thread takes a batch from free_ and
      // clears it, so `help` stays intact even if the caller recycles it meanwhile.
      help->PrepareChunk();
    }
  }
  // Reader side, after its last batch: prepares unclaimed chunks while there are any.
  void HelpWhileWorkRemains() {
    for (;;) {
      EventBatch* help = nullptr;
      {
        std::lock_guard lock(mutex_);
        if (stopped_ || (help = Unclaimed()) == nullptr) return;
      }
      help->PrepareChunk();  // safe without the lock: see TakeFree
    }
  }
  void PushFull(std::unique_ptr<EventBatch> batch) {
    std::lock_guard lock(mutex_);
    full_.push_back(std::move(batch));
    changed_.notify_all();
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
  // REQUIRES mutex_. The oldest queued batch with a chunk nobody has claimed.
  EventBatch* Unclaimed() const {
    for (const auto& batch : full_) {
      if (batch->HasUnclaimedChunk()) return batch.get();
    }
    return nullptr;
  }

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
    batch->Seal(options.hash);
    queue.PushFull(std::move(batch));
    if (!end.ok()) break;
  }
  if (end.ok()) end = cursor->status();
  queue.Finish(std::move(end));
  queue.HelpWhileWorkRemains();
}

}  // namespace

void EventBatch::Clear() {
  positions_.clear();
  ends_.clear();
  buffer_.clear();
  next_.store(0, std::memory_order_relaxed);
  prepared_.store(0, std::memory_order_relaxed);
}

void EventBatch::Add(std::uint64_t position, std::string_view bytes) {
  positions_.push_back(position);
  buffer_.append(bytes);
  ends_.push_back(static_cast<std::uint32_t>(buffer_.size()));
}

void EventBatch::Seal(bool hash) {
  hash_ = hash;
  envelopes_.resize(size());
  if (hash) hashes_.resize(size());
}

bool EventBatch::PrepareChunk() {
  const std::size_t begin = next_.fetch_add(kChunkEvents, std::memory_order_relaxed);
  if (begin >= size()) return false;
  const std::size_t end = std::min(begin + kChunkEvents, size());
  for (std::size_t i = begin; i < end; ++i) {
    const std::string_view b = bytes(i);
    auto verified = schemas::VerifyEnvelope(b);
    envelopes_[i] = verified.ok() ? *verified : nullptr;
    if (hash_ && envelopes_[i] != nullptr) hashes_[i] = schemas::ComputeEnvelopeHash(b, *envelopes_[i]);
  }
  if (prepared_.fetch_add(end - begin, std::memory_order_release) + (end - begin) == size()) {
    prepared_.notify_all();  // the last chunk: the caller may be waiting in PrepareAll
  }
  return true;
}

void EventBatch::PrepareAll() {
  while (PrepareChunk()) {
  }
  // Chunks the other thread claimed: sleep (no spinning, which on a busy machine takes the
  // core from the very thread being waited for) until the last one is done.
  for (std::size_t done = prepared_.load(std::memory_order_acquire); done < size();
       done = prepared_.load(std::memory_order_acquire)) {
    prepared_.wait(done, std::memory_order_acquire);
  }
}

Status ScanLog(const LogDb& db, const ScanOptions& options, const BatchVisitor& visit) {
  if (options.from > options.to) return Status::Ok();
  BatchQueue queue;
  std::thread reader([&] { ReadBatches(db, options, queue); });
  Status status;
  while (std::unique_ptr<EventBatch> batch = queue.TakeFull()) {
    if (status.ok()) {
      batch->PrepareAll();
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
