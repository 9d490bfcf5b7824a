// JSON text for event bodies: the `data` of GET /v1/audit and of GET /v1/events.
//
// RenderEventBody writes one JSON object with the body's fields under their schema names
// (events.fbs, snake_case already), for all 20 body types:
//   - enums as lower snake_case names ("work_order", "ended_by_staff"); a value this build
//     does not know as its number;
//   - times (`*_us`) and counts as JSON integers; absent strings as "";
//   - secrets are never written: UserCreated's and PasswordChanged's password_hash become
//     "redacted" ("" stays "": there was no password), SessionStarted's token_hash is left
//     out entirely (it would let anyone holding the log look up a live session).
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
