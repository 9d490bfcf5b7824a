#include "replay/exit_codes.h"

namespace portico::replay {

std::string_view ExitCodesHelp() {
  return "exit codes:\n"
         "  0  success (verify: the log is intact, and --expect-head matched)\n"
         "  1  fault in the log: tampering or damage found, or --expect-head differs\n"
         "  2  bad arguments\n"
         "  3  the data directory is missing, or holds no portico event log (DIR/log)\n"
         "  4  the store cannot be opened or read (damaged RocksDB files, I/O, permissions)\n"
         "  5  the command could not finish (output not written; rebuild: a server holds the log)\n";
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kCorruption: return kExitFault;
    case StatusCode::kInvalidArgument: return kExitUsage;
    case StatusCode::kNotFound:
    case StatusCode::kFailedPrecondition: return kExitNoLog;
    case StatusCode::kUnavailable:
    case StatusCode::kPermissionDenied: return kExitUnreadable;
    default: return kExitFailed;
  }
}

}  // namespace portico::replay
