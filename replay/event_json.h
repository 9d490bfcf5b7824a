// Events as readable records, for export, timeline and people: every envelope field and the
// body's fields by name (projections/event_fields.h, which GET /v1/audit walks too), enums as
// snake_case names ("portal_disabled", schemas::SnakeCaseName), times both as RFC 3339 and as
// microseconds, an import's recorded rows in full, hashes and ids as lower-case hex.
//
// Secrets never appear: a password hash shows only as "password_set": true/false, a
// registration code as "code_set", and session and reset token hashes not at all.
//
// All functions are pure; the envelope must have been verified.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "schemas/envelope.h"

namespace portico::replay {

// The body's fields: {"user_id": "u1", "level": "client-base"}.
boost::json::object BodyJson(const schema::Envelope& envelope);

// position, recorded_at, recorded_at_us, event_id, stream, stream_version, type, actor
// {kind, id}, on_behalf_of, correlation_id, causation_id, idempotency_key, schema_version,
// prev_hash, hash and body.
boost::json::object EventJson(const schema::Envelope& envelope);

// One line of text saying what the event did: "user 'u1' moved to level 'client-base'".
std::string DescribeEvent(const schema::Envelope& envelope);

// CSV: the header line and one row per EventJson record (the actor split into actor_kind and
// actor_id, the body as compact JSON in the last column), RFC 4180 quoting, "\r\n" endings.
std::string CsvHeader();
std::string CsvRow(const boost::json::object& record);

}  // namespace portico::replay
