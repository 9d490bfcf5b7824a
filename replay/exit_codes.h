// The exit codes of portico-replay: a public contract (documented in --help and README.md), so
// that scripts can tell a tampered log from a typo.
//
//   0  success (verify: the log is intact, and --expect-head matched)
//   1  fault in the log: tampering or damage found (a hash, chain, position or stream version
//      fault, an envelope that fails verification), or --expect-head differs from the head
//   2  bad arguments
//   3  the data directory is missing, or it holds no portico event log
//   4  the store cannot be opened or read (damaged RocksDB files, I/O error, no permission)
//   5  the command could not finish: its output could not be written, or (rebuild) a server
//      holds the log
#pragma once

#include <string_view>

#include "common/status.h"

namespace portico::replay {

enum ExitCode : int {
  kExitOk = 0,
  kExitFault = 1,
  kExitUsage = 2,
  kExitNoLog = 3,
  kExitUnreadable = 4,
  kExitFailed = 5,
};

// The table above, as printed by --help.
std::string_view ExitCodesHelp();

// The exit code for a failed Status, by the convention every replay module follows:
// Corruption 1 (a fault in the log), InvalidArgument 2, NotFound and FailedPrecondition 3 (no
// log there), Unavailable and PermissionDenied 4 (the store cannot be opened or read), anything
// else 5. OK gives 0.
int ExitCodeFor(const Status& status);

}  // namespace portico::replay
