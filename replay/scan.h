// ScanLog: reads a range of the log in key order on a reader thread and hands the events to
// the caller's thread in batches: a two-stage pipeline, so that RocksDB iteration overlaps
// with whatever the caller does per event (checking, folding).
//
// The per-event preparation (FlatBuffers verification and, when asked, the own hash: most of
// a verify's work) is shared by both threads, in chunks of a batch claimed through an atomic
// counter: the caller prepares the batch it is about to visit, and the reader, once it is as
// far ahead as the queue lets it be, prepares the chunks of queued batches that nobody has
// claimed yet instead of waiting. Each event is prepared exactly once, by one of them; the
// caller visits a batch only when all of its chunks are done.
//
// Nothing here judges the events: keys are decoded but gaps, duplicates and chain faults are
// for the caller (chain_check.h). A key that is not 8 bytes long ends the scan with a
// Corruption naming the position it should have been.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/strong_type.h"
#include "schemas/envelope.h"

namespace portico::replay {

class LogDb;

struct ScanOptions {
  Position from{1};           // inclusive
  Position to{UINT64_MAX};    // inclusive
  bool hash = false;          // recompute each event's own hash while preparing
  std::size_t batch_events = 2048;
};

// Up to batch_events consecutive entries of the "events" family.
class EventBatch {
 public:
  std::size_t size() const { return positions_.size(); }
  std::uint64_t position(std::size_t i) const { return positions_[i]; }
  std::string_view bytes(std::size_t i) const {
    const std::uint32_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(buffer_).substr(begin, ends_[i] - begin);
  }
  // Once prepared: the verified envelope (nullptr when the bytes fail VerifyEnvelope; the
  // caller verifies them again for the message) and, with options.hash, its recomputed hash.
  const schema::Envelope* envelope(std::size_t i) const { return envelopes_[i]; }
  const schemas::Hash& computed_hash(std::size_t i) const { return hashes_[i]; }

  // Used by the reader: Clear, Add each entry, then Seal before anyone prepares it.
  void Clear();
  void Add(std::uint64_t position, std::string_view bytes);
  void Seal(bool hash);

  // Prepares the next unclaimed chunk, if any; false when every chunk was claimed. Any thread.
  bool PrepareChunk();
  bool HasUnclaimedChunk() const { return next_.load(std::memory_order_relaxed) < size(); }
  // Prepares what is unclaimed, then waits for the chunks other threads claimed.
  void PrepareAll();

 private:
  std::vector<std::uint64_t> positions_;
  std::vector<std::uint32_t> ends_;
  std::string buffer_;
  std::vector<const schema::Envelope*> envelopes_;
  std::vector<schemas::Hash> hashes_;
  bool hash_ = false;
  std::atomic<std::size_t> next_{0};      // first event of the next chunk to claim
  std::atomic<std::size_t> prepared_{0};  // events whose preparation is finished
};

// Called on the caller's thread for each batch, in order, each fully prepared. A non-OK
// status stops the scan and is returned by ScanLog.
using BatchVisitor = std::function<Status(const EventBatch&)>;

// Visits every entry with options.from <= key <= options.to. Returns the visitor's first
// failure, the reader's (a malformed key, a read error: Corruption for damaged table files,
// Unavailable for I/O), or OK at the end of the range.
Status ScanLog(const LogDb& db, const ScanOptions& options, const BatchVisitor& visit);

}  // namespace portico::replay
