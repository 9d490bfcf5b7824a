// ScanLog: reads a range of the log in key order on a reader thread and hands the events to
// the caller's thread in batches: a two-stage pipeline, so that RocksDB iteration overlaps
// with whatever the caller does per event (checking, folding).
//
// The per-event preparation (FlatBuffers verification and, when asked, the own hash) is done
// by whichever thread is free: the reader takes it on while the caller is behind (its queue
// fills up), and leaves it to the caller otherwise; EventBatch::Prepare is idempotent.
//
// Nothing here judges the events: keys are decoded but gaps, duplicates and chain faults are
// for the caller (chain_check.h). A key that is not 8 bytes long ends the scan with a
// Corruption naming the position it should have been.
#pragma once

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
  bool hash = false;          // recompute each event's own hash in Prepare
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
  // After Prepare: the verified envelope (nullptr when the bytes fail VerifyEnvelope; the
  // caller verifies them again for the message) and, with options.hash, its recomputed hash.
  const schema::Envelope* envelope(std::size_t i) const { return envelopes_[i]; }
  const schemas::Hash& computed_hash(std::size_t i) const { return hashes_[i]; }

  void Prepare(bool hash);

  // Used by the reader.
  void Clear();
  void Add(std::uint64_t position, std::string_view bytes);

 private:
  std::vector<std::uint64_t> positions_;
  std::vector<std::uint32_t> ends_;
  std::string buffer_;
  std::vector<const schema::Envelope*> envelopes_;
  std::vector<schemas::Hash> hashes_;
  bool prepared_ = false;
  bool hashed_ = false;
};

// Called on the caller's thread for each batch, in order, each already Prepare()d. A non-OK
// status stops the scan and is returned by ScanLog.
using BatchVisitor = std::function<Status(const EventBatch&)>;

// Visits every entry with options.from <= key <= options.to. Returns the visitor's first
// failure, the reader's (a malformed key, a read error: Corruption for damaged table files,
// Unavailable for I/O), or OK at the end of the range.
Status ScanLog(const LogDb& db, const ScanOptions& options, const BatchVisitor& visit);

}  // namespace portico::replay
