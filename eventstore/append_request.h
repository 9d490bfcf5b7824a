// Internal: one append on its way from a caller to the group-commit writer.
//
// Everything that depends only on the append itself is checked and computed in the caller's
// thread (ValidateAppend, AppendFingerprint), so the writer thread does only what needs the
// log's state: idempotency lookup, version check, stamping.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/strong_type.h"
#include "eventstore/event_store.h"
#include "schemas/envelope.h"

namespace portico::eventstore {

struct AppendRequest {
  StreamId stream;
  ExpectedVersion expected;
  std::vector<std::string> envelopes;  // verified; stamped in place by the writer
  std::string idempotency_key;         // empty: none
  schemas::Hash fingerprint{};         // AppendFingerprint, when idempotency_key is set
  EventStore::AppendCallback done;     // runs once, on the writer thread
  std::optional<Position> expected_head;  // AppendOptions
  std::int64_t recorded_at_us = 0;        // AppendOptions: 0 for the writer's clock
  // Part of an atomic append (AppendAtomicallyAsync) that goes on with the next request: the
  // writer keeps them in one batch and appends all of them or none.
  bool joined_with_next = false;
};

// OK when `stream` is a valid stream id (keys.h), the idempotency key is at most
// kMaxIdempotencyKeyBytes long and `envelopes` is non-empty, each one verifying as an
// Envelope whose stream_id is `stream` and whose store-assigned scalar fields are present, so
// StampEnvelope can fill them in place (EncodeEnvelope does this). InvalidArgument otherwise.
Status ValidateAppend(const StreamId& stream, const std::vector<std::string>& envelopes,
                      std::string_view idempotency_key);

// What an idempotency key is bound to: BLAKE2b-256 over the stream id and the envelopes
// exactly as given, each preceded by its length (u64 BE).
schemas::Hash AppendFingerprint(const StreamId& stream, const std::vector<std::string>& envelopes);

// "expected version 3", "expected no stream", ... for error messages.
std::string Describe(ExpectedVersion expected);

}  // namespace portico::eventstore
