// The `portico` executable. `portico serve` runs the whole system in one process (DESIGN.md,
// "Running"): log, Kafka, relay, projections and HTTP; it stops cleanly on SIGINT or SIGTERM.
#include <cstdio>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <sodium.h>

#include "common/log.h"
#include "gateway/app/demo_data.h"
#include "gateway/app/system.h"
#include "gateway/serve_options.h"

namespace {

int Serve(const portico::gateway::ServeOptions& options) {
  auto log = portico::NamedLogger("gateway");
  // The signal set exists before System::Start: Start can take long (a read-model rebuild,
  // --demo seeding) while HTTP already serves, and without a handler SIGINT/SIGTERM would kill
  // the process mid-write. Asio catches a signal that comes during Start and keeps it for the
  // async_wait below, so the system then drains and stops as soon as Start returns (Start
  // itself cannot be interrupted).
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  auto system = portico::gateway::System::Start(options);
  if (!system.ok()) {
    log->error("portico could not start: {}", system.status().ToString());
    return 1;
  }
  fmt::print("portico is serving on {}\n", (*system)->http_url());
  fmt::print("Kafka bootstrap servers: {} (subscribe with kcat -b {} -t portico.events)\n",
             (*system)->kafka_bootstrap(), (*system)->kafka_bootstrap());
  if (const auto& key = (*system)->generated_admin_key()) {
    fmt::print("Staff key (shown once, keep it): {}\n", *key);
    fmt::print("Try: curl -H 'Authorization: Bearer {}' {}/v1/status\n", *key,
               (*system)->http_url());
  } else {
    fmt::print("Staff key: as printed on first start, or set PORTICO_ADMIN_KEY\n");
  }
  if (options.demo) {
    using portico::gateway::kDemoPassword;
    using portico::gateway::kDemoUsername;
    fmt::print("{}\n", (*system)->demo_seeded()
                           ? "Demo data seeded (orgs acme, acme-north, globex, sparkies; a user "
                             "on each preset, all with the demo password)."
                           : "Demo data: the log already holds events; the demo data is already "
                             "there (if this data directory was started with --demo).");
    fmt::print("Demo portal login: username {} password {}\n", kDemoUsername, kDemoPassword);
    fmt::print("Try: curl -X POST -H 'Content-Type: application/json' -d "
               "'{{\"username\":\"{}\",\"password\":\"{}\"}}' {}/v1/portal/login\n",
               kDemoUsername, kDemoPassword, (*system)->http_url());
  }
  std::fflush(stdout);

  signals.async_wait([&](const boost::system::error_code&, int signal) {
    log->info("signal {} received, draining and stopping", signal);
  });
  io.run();
  (*system)->Stop();
  log->info("stopped");
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
