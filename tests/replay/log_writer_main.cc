// replay_log_writer DATA_DIR SECONDS: appends random access history to DATA_DIR/log through the
// EventStore, as a server would, for at most SECONDS (or until killed). It prints the head
// position on stdout every 1000 events.
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "replay_testing.h"

int main(int argc, char** argv) {
  if (argc != 3 || sodium_init() < 0) {
    std::fprintf(stderr, "usage: replay_log_writer DATA_DIR SECONDS\n");
    return 2;
  }
  portico::replay::testing::RandomHistory history(argv[1], 42);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(std::stoi(argv[2]));
  std::size_t reported = 0;
  while (std::chrono::steady_clock::now() < until) {
    history.Generate(1);
    std::this_thread::sleep_for(std::chrono::microseconds(500));  // a busy server, not a flood
    if (history.envelopes().size() >= reported + 1000) {
      reported = history.envelopes().size();
      std::printf("%zu\n", reported);
      std::fflush(stdout);
    }
  }
  return 0;
}
