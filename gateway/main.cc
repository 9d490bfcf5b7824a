// The `portico` executable. `portico serve` runs the whole system in one process (DESIGN.md,
// "Running"): today it opens the event log, reports where it is, and stops cleanly on SIGINT
// or SIGTERM.
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <sodium.h>

#include "common/log.h"
#include "eventstore/event_store.h"
#include "gateway/serve_options.h"

namespace {

int Serve(const portico::gateway::ServeOptions& options) {
  auto log = portico::NamedLogger("gateway");
  portico::eventstore::Options store_options;
  store_options.dir = options.data_dir + "/log";
  auto store = portico::eventstore::EventStore::Open(store_options);
  if (!store.ok()) {
    log->error("cannot open the event log in {}: {}", store_options.dir,
               store.status().ToString());
    return 1;
  }
  log->info("event log open in {} at position {}", store_options.dir,
            (*store)->Head().value());

  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    log->info("signal {} received, stopping", signal);
    io.stop();
  });
  io.run();
  log->info("stopped at position {}", (*store)->Head().value());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto log = portico::NamedLogger("gateway");
  if (sodium_init() < 0) {
    log->critical("libsodium failed to initialise");
    return 1;
  }
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    fmt::print("{}", portico::gateway::ServeUsage());
    return args.empty() ? 2 : 0;
  }
  if (args[0] != "serve") {
    log->error("unknown command '{}'; try `portico --help`", args[0]);
    return 2;
  }
  auto options = portico::gateway::ParseServeOptions({args.begin() + 1, args.end()});
  if (!options.ok()) {
    log->error("{}", options.status().message());
    return 2;
  }
  return Serve(*options);
}
