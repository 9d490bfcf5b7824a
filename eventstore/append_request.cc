#include "eventstore/append_request.h"

#include <flatbuffers/flatbuffers.h>
#include <sodium.h>

#include "eventstore/keys.h"

namespace portico::eventstore {
namespace {

// StampEnvelope mutates these scalars in place, which works only when they are stored.
bool HasStoreFields(const std::string& bytes) {
  const auto* table = flatbuffers::GetRoot<flatbuffers::Table>(bytes.data());
  return table->GetOptionalFieldOffset(schema::Envelope::VT_STREAM_VERSION) != 0 &&
         table->GetOptionalFieldOffset(schema::Envelope::VT_POSITION) != 0 &&
         table->GetOptionalFieldOffset(schema::Envelope::VT_RECORDED_AT_US) != 0;
}

// Ends the message of every append whose outcome is unknown (OutcomeUnknown).
constexpr std::string_view kOutcomeUnknown =
    "; the appends may or may not be durable (a restart replays them if they reached the "
    "disk); the event log stopped taking appends; restart to recover";

}  // namespace

bool ExpectedVersion::Matches(StreamVersion current) const {
  switch (kind_) {
    case Kind::kAny: return true;
    case Kind::kNoStream: return current.value() == 0;
    case Kind::kStreamExists: return current.value() > 0;
    case Kind::kExact: return current.value() == version_;
  }
  return false;
}

Status OutcomeUnknown(std::string_view what_failed) {
  return Status::Unavailable(std::string(what_failed) + std::string(kOutcomeUnknown));
}

bool IsOutcomeUnknown(const Status& status) {
  return status.code() == StatusCode::kUnavailable &&
         std::string_view(status.message()).ends_with(kOutcomeUnknown);
}

std::string Describe(ExpectedVersion expected) {
  switch (expected.kind()) {
    case ExpectedVersion::Kind::kAny: return "any version";
    case ExpectedVersion::Kind::kNoStream: return "no stream";
    case ExpectedVersion::Kind::kStreamExists: return "an existing stream";
    case ExpectedVersion::Kind::kExact:
      return "version " + std::to_string(expected.version().value());
  }
  return "?";
}

Status ValidateAppend(const StreamId& stream, const std::vector<std::string>& envelopes,
                      std::string_view idempotency_key) {
  RETURN_IF_ERROR(ValidateStreamId(stream.value()));
  if (idempotency_key.size() > kMaxIdempotencyKeyBytes) {
    return Status::InvalidArgument("idempotency key is longer than " +
                                   std::to_string(kMaxIdempotencyKeyBytes) + " bytes");
  }
  if (envelopes.empty()) return Status::InvalidArgument("append of no events to " + stream.value());
  for (std::size_t i = 0; i < envelopes.size(); ++i) {
    // Built only for an error: this runs on every append's thread.
    const auto which = [&] {
      return "event " + std::to_string(i) + " of the append to " + stream.value();
    };
    auto envelope = schemas::VerifyEnvelope(envelopes[i]);
    if (!envelope.ok()) {
      return Status::InvalidArgument(which() + ": " + envelope.status().message());
    }
    const auto* id = (*envelope)->stream_id();
    if (std::string_view(id->c_str(), id->size()) != stream.value()) {
      return Status::InvalidArgument(which() + " is for stream " + id->str());
    }
    if (!HasStoreFields(envelopes[i])) {
      return Status::InvalidArgument(which() +
                                     " lacks the store fields (build it with EncodeEnvelope)");
    }
  }
  return Status::Ok();
}

schemas::Hash AppendFingerprint(const StreamId& stream, const std::vector<std::string>& envelopes) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 32);
  std::string length;
  const auto update = [&](std::string_view bytes) {
    length.clear();
    AppendFixed64(&length, bytes.size());
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(length.data()),
                              length.size());
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(bytes.data()),
                              bytes.size());
  };
  update(stream.value());
  for (const std::string& envelope : envelopes) update(envelope);
  schemas::Hash out;
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

}  // namespace portico::eventstore
