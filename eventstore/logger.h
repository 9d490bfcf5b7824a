// Internal: the event store's one named logger, "eventstore".
#pragma once

#include <spdlog/spdlog.h>

#include "common/log.h"

namespace portico::eventstore {

inline spdlog::logger& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = NamedLogger("eventstore");
  return *logger;
}

}  // namespace portico::eventstore
