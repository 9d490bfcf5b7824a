// Internal to Evolve (domain/evolve.cc): folds the events of domain/alert_commands.h into
// AccessState::alerting; any other event changes nothing.
#pragma once

#include "domain/state.h"
#include "schemas/events_generated.h"

namespace portico::domain {

void EvolveAlerting(AccessState& state, const schema::Envelope& envelope);

}  // namespace portico::domain
