// One named spdlog logger per module ("eventstore", "domain" never logs, "gateway", ...).
//
// NamedLogger returns the registered logger of that name, creating it on first use with the
// process-wide sink (stderr, colour when a terminal). Thread-safe. Call it once and keep the
// shared_ptr, e.g. in a function-local static of the module.
#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace portico {

std::shared_ptr<spdlog::logger> NamedLogger(const std::string& module);

}  // namespace portico
