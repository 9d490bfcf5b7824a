// JSON text for event bodies: the `data` of GET /v1/audit and of GET /v1/events.
//
// RenderEventBody writes one JSON object with the body's fields (event_fields.h, which the
// auditors' exports walk too) under their schema names, for every body type:
//   - enums as lower snake_case names ("work_order", "ended_by_staff"); a value this build
//     does not know as its number;
//   - times (`*_us`) and counts as JSON integers; absent strings as "";
//   - an import's recorded rows as counts (`accepted_rows`, `rejected_rows`);
//   - secrets are never written: a password hash shows as "password_hash": "redacted" ("" when
//     there was no password), a registration code as "code_set", and session and reset token
//     hashes not at all.
// Strings are escaped per RFC 8259; bytes that are not valid UTF-8 become U+FFFD, so the
// output is always valid JSON. Projections stay free of Boost: the gateway parses or embeds
// the text as it likes.
//
// Pure and thread-safe. `event` must have been verified (schemas::VerifyEnvelope).
#pragma once

#include <string>

#include "schemas/events_generated.h"

namespace portico::projections {

std::string RenderEventBody(const schema::Envelope& event);

}  // namespace portico::projections
