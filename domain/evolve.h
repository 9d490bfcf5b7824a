// Evolve: folds one stored event into the state. Together with Decide this is the whole
// domain: state = fold(Evolve, empty, log).
//
// Contract:
//   - `envelope` has been verified (schemas::VerifyEnvelope); Evolve reads its FlatBuffers
//     views directly (no unpacking) and uses position and recorded_at_us (when a user was
//     created, a session started...).
//   - An event of a type this domain does not fold, or one that contradicts the state (a
//     second UserCreated for an id, a session ending that is not active, an org whose parent is
//     unknown) changes nothing but state.position: the log is the truth and Decide never emits
//     such events, so they can only come from a foreign writer.
//   - Deterministic: folding the same envelopes in the same order into two fresh states gives
//     equal states (AccessState::operator==).
// Not thread-safe: one writer per state.
#pragma once

#include <string_view>

#include "common/status.h"
#include "domain/state.h"
#include "schemas/events_generated.h"

namespace portico::domain {

void Evolve(AccessState& state, const schema::Envelope& envelope);

// Verifies `bytes` as an envelope and folds it; Corruption when they fail verification
// (the state is then unchanged).
Status EvolveBytes(AccessState& state, std::string_view bytes);

}  // namespace portico::domain
