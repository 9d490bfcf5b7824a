// A digest of a domain::AccessState: BLAKE2b-256 over a canonical serialization of all of it
// (settings, organisations, custom levels, users, resources, notes, sessions, the workflows'
// registration codes, registrations and imports, the alerting state's alert sets,
// subscriptions and password resets, every index and the position), so that two states folded from the same events digest equal, and any
// difference, in the model or in an index, digests differently.
//
// Canonical form: every map is written in sorted key order (unordered_map iteration order is
// not canonical), sets in sorted order, vectors in their own order (which the model keeps
// deterministic: children in registration order, notes in the order shared). Each string is
// written as its length (u64, little-endian) and bytes, each integer as 8 bytes
// little-endian, so that no two different states serialize alike. The form is internal to a
// build: compare digests made by the same build only.
#pragma once

#include "domain/state.h"
#include "schemas/envelope.h"

namespace portico::projections {

schemas::Hash DigestAccessState(const domain::AccessState& state);

}  // namespace portico::projections
