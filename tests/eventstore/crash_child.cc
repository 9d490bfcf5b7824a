// The crash-test child: appends to the store in <dir> from several threads as fast as it can
// and reports every acknowledged append on stdout (crash_protocol.h), until it is killed.
//
// Usage: eventstore_crash_child <dir> <seed> <threads>
// Exit codes: 2 for bad usage or a failed Open, 3 for a failed append.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/crash_protocol.h"
#include "eventstore/event_store.h"
#include "eventstore/store_testing.h"

namespace portico::eventstore::testing {
namespace {

constexpr int kStreamsPerThread = 3;

void WriteAll(const std::string& line) {
  // One write(2) of less than PIPE_BUF bytes: lines from several threads never interleave.
  if (write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    std::_Exit(4);
  }
}

void AppendForever(EventStore& store, int thread, std::uint64_t seed) {
  std::mt19937_64 rng(seed * 1000 + thread);
  std::vector<std::string> streams;
  std::vector<std::uint64_t> versions;
  for (int k = 0; k < kStreamsPerThread; ++k) {
    streams.push_back("crash:t" + std::to_string(thread) + ":" + std::to_string(k));
    auto version = store.CurrentVersion(StreamId(streams.back()));
    if (!version.ok()) {
      std::fprintf(stderr, "CurrentVersion: %s\n", version.status().ToString().c_str());
      std::_Exit(3);
    }
    versions.push_back(version->value());
  }
  for (std::uint64_t i = 0;; ++i) {
    const std::size_t k = i % kStreamsPerThread;
    CrashAppend append;
    append.stream = streams[k];
    append.first_version = versions[k] + 1;
    append.count = 2 + rng() % 2;
    const std::string key = CrashIdempotencyKey(append.stream, append.first_version);
    std::vector<std::string> envelopes;
    for (std::uint64_t e = 0; e < append.count; ++e) {
      envelopes.push_back(
          NoteEnvelope(append.stream,
                       CrashEventText(append.stream, append.first_version, e, append.count), key));
    }
    auto result =
        store.Append(StreamId(append.stream), ExpectedVersion::Exact(StreamVersion(versions[k])),
                     std::move(envelopes), key);
    if (!result.ok() || result->deduplicated) {
      std::fprintf(stderr, "Append to %s: %s\n", append.stream.c_str(),
                   result.ok() ? "unexpectedly deduplicated" : result.status().ToString().c_str());
      std::_Exit(3);
    }
    versions[k] = result->stream_version.value();
    append.first_position = result->first_position.value();
    append.last_position = result->last_position.value();
    WriteAll(CrashAckLine(append));
  }
}

int Main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <dir> <seed> <threads>\n", argv[0]);
    return 2;
  }
  Options options = TestOptions(argv[1]);
  const std::uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  const int threads = std::atoi(argv[3]);
  auto store = EventStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "Open: %s\n", store.status().ToString().c_str());
    return 2;
  }
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] { AppendForever(**store, t, seed); });
  }
  for (auto& worker : workers) worker.join();  // never: the parent kills this process
  return 0;
}

}  // namespace
}  // namespace portico::eventstore::testing

int main(int argc, char** argv) { return portico::eventstore::testing::Main(argc, argv); }
