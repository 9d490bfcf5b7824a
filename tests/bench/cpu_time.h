// What a benchmark run cost on a shared machine: CPU seconds (wall-clock time includes waiting
// for a core while other work runs) and the load average it ran under.
#pragma once

#include <sys/resource.h>

#include <fstream>

namespace portico::bench {

// CPU seconds of the whole process (every thread), user and system.
inline double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The 1-minute load average: the machine's other work, which wall-clock figures include.
inline double LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double load = 0;
  in >> load;
  return load;
}

}  // namespace portico::bench
