// Building, verifying, hashing and stamping event envelopes (schemas/events.fbs).
//
// Life of an envelope:
//   1. A writer (the domain, the gateway) calls EncodeEnvelope with the event's metadata and
//      body. The store-assigned fields (event id, stream version, position, recorded time,
//      previous hash, own hash) are present but zero.
//   2. The event store calls StampEnvelope in place when it commits the event, which also
//      computes the own hash over the stamped bytes.
//   3. Every reader calls VerifyEnvelope on bytes from RocksDB, Kafka or a file before it
//      reads a field; a failure is a Corruption status, never a crash.
//
// All functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/hex.h"
#include "common/status.h"
#include "schemas/events_generated.h"

namespace portico::schemas {

// Bump when events.fbs grows (see its evolution rules).
inline constexpr std::uint16_t kSchemaVersion = 3;  // 3: LoginFailed.username, UnknownUser

using Hash = std::array<std::uint8_t, 32>;
using EventIdBytes = std::array<std::uint8_t, 16>;

struct EventMeta {
  std::string stream_id;
  schema::ActorKind actor_kind = schema::ActorKind::System;
  std::string actor_id;
  std::string on_behalf_of;
  std::string correlation_id;
  std::string causation_id;
  std::string idempotency_key;
};

// Builds an envelope with the store-assigned fields as zero placeholders. The same meta and
// body always give the same bytes, so a retried command can be recognised by its bytes.
std::string EncodeEnvelope(const EventMeta& meta, const schema::EventBodyUnion& body);

// The fields the store assigns at commit.
struct StoreFields {
  EventIdBytes event_id{};
  std::uint64_t stream_version = 0;
  std::uint64_t position = 0;
  std::int64_t recorded_at_us = 0;
  Hash prev_hash{};
};

// Writes `fields` into an envelope made by EncodeEnvelope (which must already have been
// verified), computes its own hash, writes it too and returns it.
Hash StampEnvelope(std::string& bytes, const StoreFields& fields);

// Verifies `bytes` as an Envelope with a known body. The returned pointer aliases `bytes`.
Result<const schema::Envelope*> VerifyEnvelope(std::string_view bytes);

// VerifyEnvelope for bytes read from the log at `position`, which the envelope must also
// carry: a Corruption naming the position otherwise. Not the hash (see EventStore::ReadRun).
Result<const schema::Envelope*> VerifyEnvelopeAt(std::string_view bytes, std::uint64_t position);

// BLAKE2b-256 over a verified envelope's bytes with its own `hash` field taken as zero.
Hash ComputeEnvelopeHash(std::string_view bytes, const schema::Envelope& envelope);

// Copies a Hash256 struct out of an envelope (zeros when absent).
Hash ToHash(const schema::Hash256* h);

// "UserCreated"; "Unknown" for a type this build does not know.
std::string_view EventTypeName(schema::EventBody type);

// A generated name as the JSON and the exports show it: "UserCreated" -> "user_created",
// "WorkOrder" -> "work_order".
std::string SnakeCaseName(std::string_view camel);

// Lower-case hex (common/hex.h, which takes a Hash too), for logs, audit output and `verify`.
using ::portico::HexEncode;

}  // namespace portico::schemas
