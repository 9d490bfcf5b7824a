// portico-replay: the auditors' command-line tool. This file only picks the command and
// dispatches; each command parses its own options (commands.h).
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include <sodium.h>

#include "replay/commands.h"
#include "replay/exit_codes.h"

int main(int argc, char** argv) {
  using namespace portico::replay;
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
    return kExitOk;
  }
  for (const CommandInfo& command : Commands()) {
    if (command.name == args[0]) {
      const int code = command.main({args.begin() + 1, args.end()}, isatty(STDERR_FILENO) == 1, std::cout, std::cerr);
      std::cout.flush();
      return code;
    }
  }
  std::cerr << "portico-replay: unknown command '" << args[0] << "'; try `portico-replay --help`\n";
  return kExitUsage;
}
