// The crash-test child: appends to the store in <dir> from several threads as fast as it can,
// some appends atomic across streams, and reports every acknowledged append on stdout
// (crash_protocol.h), until it is killed.
//
// Usage: eventstore_crash_child <dir> <seed> <threads>
// Exit codes: 2 for bad usage or a failed Open, 3 for a failed append.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
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

[[noreturn]] void Fail(const std::string& what, const Status& status) {
  std::fprintf(stderr, "%s: %s\n", what.c_str(), status.ToString().c_str());
  std::_Exit(3);
}

// The next append of 2 or 3 events to `stream`, now at `version`.
CrashAppend Plan(const std::string& stream, std::uint64_t version, std::mt19937_64& rng) {
  CrashAppend append;
  append.stream = stream;
  append.first_version = version + 1;
  append.count = 2 + rng() % 2;
  return append;
}

std::vector<std::string> EnvelopesOf(const CrashAppend& append) {
  const std::string key = CrashIdempotencyKey(append.stream, append.first_version);
  std::vector<std::string> envelopes;
  for (std::uint64_t e = 0; e < append.count; ++e) {
    envelopes.push_back(NoteEnvelope(append.stream, CrashEventText(append, e), key));
  }
  return envelopes;
}

// Records a successful append: the stream's new version, the positions in `append`.
void Acknowledged(const Result<AppendResult>& result, CrashAppend& append, std::uint64_t& version) {
  if (!result.ok()) Fail("append to " + append.stream, result.status());
  if (result->deduplicated) Fail("append to " + append.stream, Status::Internal("deduplicated"));
  version = result->stream_version.value();
  append.first_position = result->first_position.value();
  append.last_position = result->last_position.value();
}

void AppendOne(EventStore& store, const std::string& stream, std::uint64_t& version,
               std::mt19937_64& rng) {
  CrashAppend append = Plan(stream, version, rng);
  auto result = store.Append(StreamId(stream), ExpectedVersion::Exact(StreamVersion(version)),
                             EnvelopesOf(append),
                             CrashIdempotencyKey(append.stream, append.first_version));
  Acknowledged(result, append, version);
  WriteAll(CrashAckLine(append));
}

// One atomic append with a part on each of `streams`.
void AppendToAll(EventStore& store, const std::vector<std::string>& streams,
                 std::vector<std::uint64_t>& versions, std::mt19937_64& rng) {
  std::vector<CrashAppend> planned;
  std::vector<StreamAppend> parts;
  for (std::size_t k = 0; k < streams.size(); ++k) {
    planned.push_back(Plan(streams[k], versions[k], rng));
    planned.back().part = k;
    planned.back().parts = streams.size();
    parts.push_back({StreamId(streams[k]), ExpectedVersion::Exact(StreamVersion(versions[k])),
                     EnvelopesOf(planned.back()),
                     {.idempotency_key = CrashIdempotencyKey(streams[k], versions[k] + 1)}});
  }
  // Shared: the writer thread may still be inside set_value when get() returns here.
  auto answered = std::make_shared<std::promise<Result<std::vector<AppendResult>>>>();
  auto future = answered->get_future();
  store.AppendAtomicallyAsync(std::move(parts), [answered](auto result) {
    answered->set_value(std::move(result));
  });
  auto results = future.get();
  if (!results.ok()) Fail("atomic append", results.status());
  std::string lines;  // one write for the whole, as it was stored
  for (std::size_t k = 0; k < streams.size(); ++k) {
    Acknowledged((*results)[k], planned[k], versions[k]);
    lines += CrashAckLine(planned[k]);
  }
  WriteAll(lines);
}

void AppendForever(EventStore& store, int thread, std::uint64_t seed) {
  std::mt19937_64 rng(seed * 1000 + thread);
  std::vector<std::string> streams;
  std::vector<std::uint64_t> versions;
  for (int k = 0; k < kStreamsPerThread; ++k) {
    streams.push_back("crash:t" + std::to_string(thread) + ":" + std::to_string(k));
    auto version = store.CurrentVersion(StreamId(streams.back()));
    if (!version.ok()) Fail("CurrentVersion", version.status());
    versions.push_back(version->value());
  }
  for (std::uint64_t i = 0;; ++i) {
    // A third of the appends are atomic across the thread's streams.
    if (rng() % 3 == 0) {
      AppendToAll(store, streams, versions, rng);
    } else {
      const std::size_t k = i % kStreamsPerThread;
      AppendOne(store, streams[k], versions[k], rng);
    }
  }
}

int Main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <dir> <seed> <threads>\n", argv[0]);
    return 2;
  }
  Options options = TestOptions(argv[1]);
  // Smaller than an atomic append of 3 parts (6 to 9 events) plus one more append, so that
  // the writer writes several batches where an atomic append could be cut if it were split.
  options.max_batch_events = 8;
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
