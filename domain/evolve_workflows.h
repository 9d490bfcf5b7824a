// Evolve for the portal workflows' events (issue 6): called from domain/evolve.cc's dispatch
// for the event types it does not fold itself. Same contract as Evolve (domain/evolve.h).
#pragma once

#include "domain/state.h"
#include "schemas/events_generated.h"

namespace portico::domain {

// Folds `envelope` when it is one of the workflows' events; other types change nothing.
void EvolveWorkflows(AccessState& state, const schema::Envelope& envelope);

}  // namespace portico::domain
