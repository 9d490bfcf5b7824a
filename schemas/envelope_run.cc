#include "schemas/envelope_run.h"

#include <algorithm>
#include <cstring>

namespace portico::schemas {

void EnvelopeRun::Add(std::string_view envelope) {
  const std::size_t words = (envelope.size() + 7) / 8;
  if (words > free_words_) {
    const std::size_t chunk_words = std::max(words, kChunkWords);
    // for_overwrite: only the envelopes' own bytes are ever read.
    chunks_.push_back(std::make_unique_for_overwrite<std::uint64_t[]>(chunk_words));
    next_ = chunks_.back().get();
    free_words_ = chunk_words;
  }
  char* at = reinterpret_cast<char*>(next_);
  if (!envelope.empty()) std::memcpy(at, envelope.data(), envelope.size());
  envelopes_.emplace_back(at, envelope.size());
  next_ += words;
  free_words_ -= words;
}

}  // namespace portico::schemas
