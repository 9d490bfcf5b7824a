// Questions the gateway asks about the portal workflows before paying for slow work (an
// argon2id hash). Decide asks them again. Pure.
#pragma once

#include <string_view>

#include "common/status.h"
#include "domain/state.h"

namespace portico::domain {

// OK when a registration with this code hash may be requested now: the provider's
// self_registration is approval or open, the portal is on, and an organisation has the code.
// Otherwise the one FailedPrecondition every closed door answers with.
Status CheckRegistrationOpen(const AccessState& state, std::string_view code_hash);
}  // namespace portico::domain
