// What a benchmark run cost on a shared machine: CPU seconds (wall-clock time includes waiting
// for a core while other work runs) and the load average it ran under.
#pragma once

#include <sys/resource.h>

#include <fstream>

namespace portico::bench {

// What the whole process (every thread) has cost so far.
struct ProcessCost {
  double user_s = 0;
  double system_s = 0;  // in the kernel: on this VM mostly page faults (first touch of memory)
  long minor_faults = 0;

  double cpu_s() const { return user_s + system_s; }
  ProcessCost operator-(const ProcessCost& before) const {
    return {user_s - before.user_s, system_s - before.system_s, minor_faults - before.minor_faults};
  }
};

inline ProcessCost ProcessCostNow() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
  };
  return {seconds(usage.ru_utime), seconds(usage.ru_stime), usage.ru_minflt};
}

// CPU seconds of the whole process (every thread), user and system.
inline double ProcessCpuSeconds() { return ProcessCostNow().cpu_s(); }

// The 1-minute load average: the machine's other work, which wall-clock figures include.
inline double LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double load = 0;
  in >> load;
  return load;
}

}  // namespace portico::bench
