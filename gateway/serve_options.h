// The command line of `portico serve` (API.md, "Command line").
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace portico::gateway {

struct ServeOptions {
  std::string data_dir = "./data";
  std::string http = "127.0.0.1:8080";  // HOST:PORT to listen on
  std::string kafka = "embedded";       // "embedded" or a bootstrap.servers list
  std::string admin_key_file;           // optional; PORTICO_ADMIN_KEY also works
  bool demo = false;                    // seed the demo dataset into an empty log
  // How often expired sessions get their SessionEnded event (session_sweeper.h); 0: never.
  std::chrono::milliseconds session_sweep_interval{std::chrono::seconds(30)};
};

// Parses the arguments after "serve". Unknown options and malformed values are an
// InvalidArgument naming the option.
Result<ServeOptions> ParseServeOptions(const std::vector<std::string>& args);

// The usage text printed by `portico --help`.
std::string ServeUsage();

}  // namespace portico::gateway
