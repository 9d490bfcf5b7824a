// portico-replay: the auditors' command-line tool. This file only picks the command and
// dispatches; each command parses its own options (commands.h).
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <sodium.h>

#include "common/log.h"
#include "replay/commands.h"
#include "replay/exit_codes.h"

namespace {

using namespace portico::replay;

// The answer is on stdout, and only complete once flushed: a command whose answer could not
// all be written (a full disk, a closed pipe) did not finish, whatever it returned, so that
// a script never takes a cut answer for a whole one (exit 5). A failing command keeps its
// own code: it says more than the lost output.
int FinishOutput(int code, std::string_view command) {
  if (std::cout.flush()) return code;
  portico::NamedLogger("replay")->error(
      "portico-replay {}: the output could not be written to stdout (a full disk? a closed pipe?)", command);
  return code == kExitOk ? kExitFailed : code;
}

}  // namespace

int main(int argc, char** argv) {
  // A closed pipe then fails the write (EPIPE) instead of killing the process unannounced.
  std::signal(SIGPIPE, SIG_IGN);
  if (sodium_init() < 0) {
    std::cerr << "portico-replay: libsodium failed to initialise\n";
    return kExitFailed;
  }
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << Usage();
    return kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << Usage();
    return FinishOutput(kExitOk, "--help");
  }
  for (const CommandInfo& command : Commands()) {
    if (command.name == args[0]) {
      const int code = command.main({args.begin() + 1, args.end()}, isatty(STDERR_FILENO) == 1, std::cout, std::cerr);
      return FinishOutput(code, command.name);
    }
  }
  std::cerr << "portico-replay: unknown command '" << args[0] << "'; try `portico-replay --help`\n";
  return kExitUsage;
}
