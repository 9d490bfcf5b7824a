// Reading a log while it is being written: by another process (a stand-in for the server,
// replay_log_writer) and by a thread of this one. verify passes on the prefix it sees, and
// as-of at a fixed past position gives the same answer every time.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>

#include "replay_testing.h"

extern char** environ;

namespace portico::replay {
namespace {

namespace json = boost::json;
using testing::Common;
using testing::TempDir;

std::string WriterPath() {
  const char* dir = std::getenv("PORTICO_TEST_BINARY_DIR");
  if (dir != nullptr && *dir != '\0') return std::string(dir) + "/replay_log_writer";
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "replay_log_writer").string();
}

struct Seen {
  int exit_code;
  std::uint64_t events = 0;
  std::string output;
};

Seen VerifyOnce(const std::string& dir, OpenMode mode) {
  VerifyOptions options;
  options.common = Common(dir, mode);
  options.json = true;
  const auto out = replay::testing::Run(&replay::Verify, options);
  Seen seen{out.exit_code, 0, out.out + out.err};
  if (out.exit_code == 0) seen.events = json::parse(out.out).at("events_verified").to_number<std::uint64_t>();
  return seen;
}

std::string AsOfAt(const std::string& dir, OpenMode mode, std::uint64_t position) {
  AsOfOptions options;
  options.common = Common(dir, mode);
  options.moment.position = position;
  const auto out = replay::testing::Run(&AsOf, options);
  EXPECT_EQ(out.exit_code, 0) << out.err;
  return out.out;
}

// Reads the log repeatedly while it grows: every verify passes on a growing prefix, and as-of
// at a position fixed early is identical every time.
void ReadWhileWriting(const std::string& dir, OpenMode mode, const std::function<bool()>& writing) {
  Seen first;
  for (int i = 0; i < 200; ++i) {
    first = VerifyOnce(dir, mode);
    if (first.exit_code == 0 && first.events >= 50) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(first.exit_code, 0) << first.output;
  ASSERT_GE(first.events, 50u);
  const std::uint64_t fixed = first.events / 2;
  const std::string reference = AsOfAt(dir, mode, fixed);
  std::uint64_t previous = first.events;
  int rounds = 0;
  for (; rounds < 5 && writing(); ++rounds) {
    const Seen seen = VerifyOnce(dir, mode);
    ASSERT_EQ(seen.exit_code, 0) << seen.output;
    EXPECT_GE(seen.events, previous);
    previous = seen.events;
    EXPECT_EQ(AsOfAt(dir, mode, fixed), reference);
  }
  EXPECT_GE(rounds, 3) << "the writer stopped too early";
  ::testing::Test::RecordProperty("events_seen", static_cast<int>(previous));
}

TEST(ReplayLiveTest, ReadsALogAnotherProcessKeepsWriting) {
  TempDir dir;
  const std::string writer = WriterPath();
  ASSERT_TRUE(std::filesystem::exists(writer)) << writer;
  std::vector<std::string> args{writer, dir.path(), "30"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, writer.c_str(), nullptr, nullptr, argv.data(), environ), 0);
  const auto running = [&] { return waitpid(pid, nullptr, WNOHANG) == 0; };

  // Auto mode sees the writer's lock and reads as a secondary instance.
  for (int i = 0; i < 100 && !LogIsLockedByAnotherProcess(dir.path() + "/log"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(LogIsLockedByAnotherProcess(dir.path() + "/log"));
  ReadWhileWriting(dir.path(), OpenMode::kAuto, running);
  ReadWhileWriting(dir.path(), OpenMode::kSecondary, running);

  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  // After the writer is gone the whole log still verifies.
  EXPECT_EQ(VerifyOnce(dir.path(), OpenMode::kAuto).exit_code, 0);
}

TEST(ReplayLiveTest, ReadsALogAThreadKeepsWriting) {
  TempDir dir;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    testing::RandomHistory history(dir.path(), 9);
    while (!stop.load()) {
      history.Generate(1);
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  });
  const auto writing = [] { return true; };
  ReadWhileWriting(dir.path(), OpenMode::kSecondary, writing);
  ReadWhileWriting(dir.path(), OpenMode::kReadOnly, writing);
  stop.store(true);
  writer.join();
}

// A server that syncs keeps zeros written ahead of its WAL's end (eventstore/prezeroed_wal.h),
// and a secondary instance tails that WAL while the server overwrites them. Each round opens
// the log as the replay does beside a server and verifies it: a round must never report
// damage (exit 4) nor a gap (exit 1) in a log that is intact, only a prefix that grows.
TEST(ReplayLiveTest, SecondaryNeverMistakesTheZerosAheadOfTheWalForDamage) {
  TempDir dir;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    testing::RandomHistory history(dir.path(), 11, /*sync=*/true);
    while (!stop.load()) history.Generate(1);
  });
  const std::unique_ptr<std::thread, std::function<void(std::thread*)>> join_writer(&writer, [&](std::thread* t) {
    stop.store(true);
    t->join();
  });
  const auto wal_bytes = [&] {
    std::uintmax_t total = 0;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path() + "/log", error)) {
      if (entry.path().extension() == ".log") total += entry.file_size(error);
    }
    return total;
  };
  // Past its first 256 KiB the store keeps zeros 4 MiB ahead of the WAL's end
  // (WalZeroingLimits): a WAL file of 1 MiB holds zeros after the records.
  for (int i = 0; i < 1200 && wal_bytes() < (1u << 20); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GE(wal_bytes(), 1u << 20) << "the writer wrote no zeros ahead of its WAL";
  std::uint64_t previous = 0;
  for (int round = 0; round < 60; ++round) {
    const Seen seen = VerifyOnce(dir.path(), OpenMode::kSecondary);
    ASSERT_EQ(seen.exit_code, 0) << "round " << round << ": " << seen.output;
    EXPECT_GE(seen.events, previous);
    previous = seen.events;
  }
}

}  // namespace
}  // namespace portico::replay
