// EnvelopeRun: consecutive envelopes packed back to back, for bulk reads of the log. A read
// model's catch-up reads a million events; a std::string per event would be a million
// allocations for bytes that are read once.
//
// The bytes live in chunks of 64 KiB (an envelope larger than that gets a chunk of its own):
// chunks of one size are what the allocator reuses best, batch after batch, where one growing
// buffer of megabytes would be fresh memory from the OS each time. Each envelope starts at a
// multiple of 8 bytes in an 8-aligned chunk, so FlatBuffers' verifier and accessors work on it
// in place.
//
// The run holds bytes only: it says nothing about whether they are valid envelopes. Whoever
// reads a field first verifies the bytes (VerifyEnvelope).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace portico::schemas {

class EnvelopeRun {
 public:
  // Appends a copy of `envelope`.
  void Add(std::string_view envelope);

  std::size_t size() const { return envelopes_.size(); }
  bool empty() const { return envelopes_.empty(); }
  // The i-th envelope's bytes (i < size()); valid while the run lives, and across moves.
  std::string_view operator[](std::size_t i) const { return envelopes_[i]; }

 private:
  static constexpr std::size_t kChunkWords = 8192;  // 64 KiB

  std::vector<std::unique_ptr<std::uint64_t[]>> chunks_;  // uint64_t: 8-aligned storage
  std::size_t free_words_ = 0;                             // left in the last chunk
  std::uint64_t* next_ = nullptr;                          // its first free word
  std::vector<std::string_view> envelopes_;                // into the chunks
};

}  // namespace portico::schemas
