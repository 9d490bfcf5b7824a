#include "eventstore/chain.h"

#include <cstdint>
#include <cstring>
#include <string>

namespace portico::eventstore {

Status CorruptionAt(Position position, std::string_view what) {
  std::string message = "position " + std::to_string(position.value()) + ": ";
  message += what;
  return Status::Corruption(std::move(message));
}

Result<const schema::Envelope*> CheckStoredEvent(Position position, std::string_view bytes) {
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % kEnvelopeAlignment != 0) {
    return Status::Internal("position " + std::to_string(position.value()) +
                            ": the event's bytes were handed over at a misaligned address, "
                            "which FlatBuffers cannot read safely (a bug of the reader)");
  }
  auto verified = schemas::VerifyEnvelope(bytes);
  if (!verified.ok()) return CorruptionAt(position, verified.status().message());
  const schema::Envelope* envelope = *verified;
  if (envelope->position() != position.value()) {
    return CorruptionAt(position, "envelope says position " + std::to_string(envelope->position()));
  }
  if (schemas::ComputeEnvelopeHash(bytes, *envelope) != schemas::ToHash(envelope->hash())) {
    return CorruptionAt(position, "hash does not match the envelope's bytes");
  }
  return envelope;
}

std::string_view AlignedBytes::CopyOf(std::string_view bytes) {
  words_.resize((bytes.size() + sizeof(std::uint64_t) - 1) / sizeof(std::uint64_t));
  if (!bytes.empty()) std::memcpy(words_.data(), bytes.data(), bytes.size());
  return {reinterpret_cast<const char*>(words_.data()), bytes.size()};
}

Status ChainLink::Next(Position position, const schema::Envelope& envelope) {
  const Position expected(position_.value() + 1);
  if (position != expected) {
    return CorruptionAt(expected, "missing (the next stored event is at position " +
                                      std::to_string(position.value()) + ")");
  }
  if (schemas::ToHash(envelope.prev_hash()) != hash_) {
    return CorruptionAt(position, "prev_hash is not the hash of the previous event");
  }
  if (envelope.recorded_at_us() < recorded_at_us_) {
    return CorruptionAt(position, "recorded time goes back from the previous event's");
  }
  position_ = position;
  hash_ = schemas::ToHash(envelope.hash());
  recorded_at_us_ = envelope.recorded_at_us();
  return Status::Ok();
}

}  // namespace portico::eventstore
