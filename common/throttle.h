// Every(last, interval): true at most once per `interval` for the same `last`, so that a
// flapping broker or a failing disk does not flood the log with the same line. `last` starts
// value-initialised (the first call is true) and belongs to one thread.
#pragma once

#include <chrono>

namespace portico {

inline bool Every(std::chrono::steady_clock::time_point& last, std::chrono::milliseconds interval) {
  const auto now = std::chrono::steady_clock::now();
  if (last != std::chrono::steady_clock::time_point{} && now - last < interval) return false;
  last = now;
  return true;
}

}  // namespace portico
