#include "schemas/envelope.h"

#include <cstring>

#include <flatbuffers/flatbuffers.h>
#include <sodium.h>

namespace portico::schemas {
namespace {

flatbuffers::FlatBufferBuilder& ThreadBuilder() {
  // One builder per thread, cleared between uses (it keeps its buffer).
  thread_local flatbuffers::FlatBufferBuilder builder(512);
  builder.Clear();
  builder.ForceDefaults(true);  // every scalar is present, so StampEnvelope can mutate it
  return builder;
}

}  // namespace

std::string EncodeEnvelope(const EventMeta& meta, const schema::EventBodyUnion& body) {
  auto& fbb = ThreadBuilder();
  auto stream_id = fbb.CreateString(meta.stream_id);
  auto actor = schema::CreateActor(fbb, meta.actor_kind, fbb.CreateString(meta.actor_id));
  auto on_behalf_of = fbb.CreateString(meta.on_behalf_of);
  auto correlation_id = fbb.CreateString(meta.correlation_id);
  auto causation_id = fbb.CreateString(meta.causation_id);
  auto idempotency_key = fbb.CreateString(meta.idempotency_key);
  auto body_offset = body.Pack(fbb);
  const schema::EventId zero_id;
  const schema::Hash256 zero_hash;
  schema::EnvelopeBuilder env(fbb);
  env.add_event_id(&zero_id);
  env.add_stream_id(stream_id);
  env.add_stream_version(0);
  env.add_position(0);
  env.add_recorded_at_us(0);
  env.add_actor(actor);
  env.add_on_behalf_of(on_behalf_of);
  env.add_correlation_id(correlation_id);
  env.add_causation_id(causation_id);
  env.add_idempotency_key(idempotency_key);
  env.add_prev_hash(&zero_hash);
  env.add_hash(&zero_hash);
  env.add_schema_version(kSchemaVersion);
  env.add_body_type(body.type);
  env.add_body(body_offset);
  fbb.Finish(env.Finish(), schema::EnvelopeIdentifier());
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

Result<const schema::Envelope*> VerifyEnvelope(std::string_view bytes) {
  auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  flatbuffers::Verifier verifier(data, bytes.size());
  if (!schema::VerifyEnvelopeBuffer(verifier)) {
    return Status::Corruption("envelope fails FlatBuffers verification (" +
                              std::to_string(bytes.size()) + " bytes)");
  }
  const auto* env = schema::GetEnvelope(data);
  if (env->body_type() == schema::EventBody::NONE || env->body() == nullptr) {
    return Status::Corruption("envelope has no body");
  }
  // A type from a newer schema is refused, not skipped: skipping an event could keep access
  // that it revokes, and an access model must fail closed.
  if (env->body_type() > schema::EventBody::MAX) {
    return Status::Corruption(
        "envelope has body type " + std::to_string(static_cast<int>(env->body_type())) +
        ", which this build does not know (it knows 1 to " +
        std::to_string(static_cast<int>(schema::EventBody::MAX)) +
        "; written by a newer portico?)");
  }
  if (env->stream_id() == nullptr || env->hash() == nullptr || env->prev_hash() == nullptr ||
      env->event_id() == nullptr) {
    return Status::Corruption("envelope lacks a stream id, event id or hash field");
  }
  return env;
}

Result<const schema::Envelope*> VerifyEnvelopeAt(std::string_view bytes, std::uint64_t position) {
  Result<const schema::Envelope*> env = VerifyEnvelope(bytes);
  if (env.ok() && (*env)->position() == position) return env;
  // Only now the message: this runs for every event of a catch-up.
  const std::string at = "the log's event at position " + std::to_string(position);
  if (!env.ok()) return Status::Corruption(at + " is unusable: " + env.status().message());
  return Status::Corruption(at + " carries position " + std::to_string((*env)->position()));
}

Hash ComputeEnvelopeHash(std::string_view bytes, const schema::Envelope& envelope) {
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const auto* hash_field = reinterpret_cast<const std::uint8_t*>(envelope.hash());
  const std::size_t offset = static_cast<std::size_t>(hash_field - data);
  static constexpr std::uint8_t kZeros[32] = {};
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 32);
  crypto_generichash_update(&state, data, offset);
  crypto_generichash_update(&state, kZeros, sizeof kZeros);
  crypto_generichash_update(&state, data + offset + 32, bytes.size() - offset - 32);
  Hash out;
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

Hash StampEnvelope(std::string& bytes, const StoreFields& fields) {
  auto* env = schema::GetMutableEnvelope(bytes.data());
  std::memcpy(env->mutable_event_id()->mutable_bytes()->Data(), fields.event_id.data(), 16);
  env->mutate_stream_version(fields.stream_version);
  env->mutate_position(fields.position);
  env->mutate_recorded_at_us(fields.recorded_at_us);
  std::memcpy(env->mutable_prev_hash()->mutable_bytes()->Data(), fields.prev_hash.data(), 32);
  Hash own = ComputeEnvelopeHash(bytes, *env);
  std::memcpy(env->mutable_hash()->mutable_bytes()->Data(), own.data(), 32);
  return own;
}

Hash ToHash(const schema::Hash256* h) {
  Hash out{};
  if (h != nullptr) std::memcpy(out.data(), h->bytes()->Data(), out.size());
  return out;
}

std::string_view EventTypeName(schema::EventBody type) {
  if (type == schema::EventBody::NONE || type > schema::EventBody::MAX) return "Unknown";
  return schema::EnumNameEventBody(type);
}

std::string SnakeCaseName(std::string_view camel) {
  std::string out;
  out.reserve(camel.size() + 4);
  for (const char c : camel) {
    if (c >= 'A' && c <= 'Z') {
      if (!out.empty()) out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace portico::schemas
