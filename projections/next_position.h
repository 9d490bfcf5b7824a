// The Projection contract's guard, shared by the read models: an event is applied only at
// applied() + 1, and only when the envelope says it is at that position.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "common/strong_type.h"
#include "schemas/events_generated.h"

namespace portico::projections {

// OK, or FailedPrecondition naming the projection and both positions.
inline Status CheckNextPosition(std::string_view projection, Position applied, const schema::Envelope& event,
                                Position position) {
  if (position.value() != applied.value() + 1) {
    return Status::FailedPrecondition(std::string(projection) + " is at position " +
                                      std::to_string(applied.value()) + " and cannot apply position " +
                                      std::to_string(position.value()));
  }
  if (event.position() != position.value()) {
    return Status::FailedPrecondition(std::string(projection) + ": the envelope is at position " +
                                      std::to_string(event.position()) + ", not " +
                                      std::to_string(position.value()));
  }
  return Status::Ok();
}

}  // namespace portico::projections
