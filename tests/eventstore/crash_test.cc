// Crash safety: a child process appends as fast as it can and is SIGKILLed at random
// moments; after each kill the log must hold every acknowledged append, byte for byte, and
// nothing half-written, with gapless positions and a chain that verifies.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "eventstore/crash_protocol.h"
#include "eventstore/event_store.h"
#include "eventstore/store_testing.h"

namespace portico::eventstore::testing {
namespace {

constexpr int kRounds = 24;
constexpr int kChildThreads = 4;
using Clock = std::chrono::steady_clock;

std::string ChildBinary() {
  std::filesystem::path dir;
  if (const char* env = std::getenv("PORTICO_TEST_BINARY_DIR"); env != nullptr && *env != '\0') {
    dir = env;
  } else {
    dir = std::filesystem::read_symlink("/proc/self/exe").parent_path();
  }
  return (dir / "eventstore_crash_child").string();
}

// The envelope as its writer built it: every store-assigned field back to zero.
std::string Unstamp(std::string bytes) {
  auto* envelope = schema::GetMutableEnvelope(bytes.data());
  const schema::EventId zero_id;
  const schema::Hash256 zero_hash;
  *envelope->mutable_event_id() = zero_id;
  *envelope->mutable_prev_hash() = zero_hash;
  *envelope->mutable_hash() = zero_hash;
  envelope->mutate_stream_version(0);
  envelope->mutate_position(0);
  envelope->mutate_recorded_at_us(0);
  return bytes;
}

// One run of the child, with its stdout read through a pipe.
class Child {
 public:
  Child(const std::string& dir, std::uint64_t seed, const std::string& stderr_path) {
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    const std::string binary = ChildBinary();
    const std::string seed_arg = std::to_string(seed);
    const std::string threads_arg = std::to_string(kChildThreads);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      const int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (err >= 0) dup2(err, STDERR_FILENO);
      close(fds[0]);
      close(fds[1]);
      execl(binary.c_str(), binary.c_str(), dir.c_str(), seed_arg.c_str(), threads_arg.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    out_ = fds[0];
  }
  ~Child() {
    if (pid_ > 0) Kill();
    if (out_ >= 0) close(out_);
  }

  // Reads what is available until `deadline` or EOF; returns false at EOF.
  bool ReadUntil(Clock::time_point deadline) {
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd p{out_, POLLIN, 0};
      const int ready = poll(&p, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
      if (ready <= 0) return true;  // deadline
      char buf[4096];
      const ssize_t n = read(out_, buf, sizeof buf);
      if (n <= 0) return false;
      pending_.append(buf, static_cast<std::size_t>(n));
      for (std::size_t eol; (eol = pending_.find('\n')) != std::string::npos;) {
        const std::string line = pending_.substr(0, eol);
        pending_.erase(0, eol + 1);
        auto ack = ParseCrashAck(line);
        if (ack) acks_.push_back(*ack);
      }
    }
  }

  // SIGKILL, then everything the child wrote before dying; returns its wait status.
  int Kill() {
    kill(pid_, SIGKILL);
    while (ReadUntil(Clock::now() + std::chrono::seconds(10))) {
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

  const std::vector<CrashAppend>& acks() const { return acks_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string pending_;
  std::vector<CrashAppend> acks_;
};

// Checks the whole log after a crash; appends every event read to `log` (index = position - 1).
void CheckLog(EventStore& store, std::vector<StoredEvent>* log) {
  log->clear();
  std::map<std::string, std::uint64_t> versions;
  for (;;) {
    auto batch = store.ReadAll(Position(log->size() + 1), 4096);
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    if (batch->empty()) break;
    for (StoredEvent& event : *batch) {
      ASSERT_EQ(event.position, Position(log->size() + 1));  // gapless
      log->push_back(std::move(event));
    }
  }
  ASSERT_EQ(store.Head(), Position(log->size()));
  // Every append is whole: event i of n follows event i - 1 of the same append, and the
  // last append of the log is complete. So is every atomic append: the first event of part
  // j + 1 follows the last of part j.
  for (std::size_t p = 0; p < log->size(); ++p) {
    const StoredEvent& event = (*log)[p];
    auto parsed = ParseCrashEventText(NoteText(event));
    ASSERT_TRUE(parsed) << "position " << p + 1;
    const auto& [append, index] = *parsed;
    ASSERT_EQ(StreamOf(event), append.stream);
    ASSERT_EQ(event.envelope().stream_version(), append.first_version + index)
        << "position " << p + 1;
    ASSERT_EQ(event.envelope().stream_version(), ++versions[append.stream]) << "position " << p + 1;
    if (index + 1 < append.count) {
      ASSERT_LT(p + 1, log->size()) << "half-written append at the end of the log";
      auto next = ParseCrashEventText(NoteText((*log)[p + 1]));
      ASSERT_TRUE(next);
      ASSERT_EQ(next->first.stream, append.stream) << "half-written append at position " << p + 1;
      ASSERT_EQ(next->second, index + 1) << "half-written append at position " << p + 1;
    } else if (append.part + 1 < append.parts) {
      ASSERT_LT(p + 1, log->size()) << "half-written atomic append at the end of the log";
      auto next = ParseCrashEventText(NoteText((*log)[p + 1]));
      ASSERT_TRUE(next);
      ASSERT_EQ(next->first.part, append.part + 1) << "half-written atomic append at " << p + 1;
      ASSERT_EQ(next->first.parts, append.parts) << "half-written atomic append at " << p + 1;
      ASSERT_EQ(next->second, 0u) << "half-written atomic append at position " << p + 1;
    }
  }
  const Status verified = store.VerifyRange(Position(0), Position(0));
  ASSERT_TRUE(verified.ok()) << verified.ToString();
}

// Every acknowledged append is in the log, at its positions, with the bytes it was given.
void CheckAcks(const std::vector<CrashAppend>& acks, const std::vector<StoredEvent>& log) {
  for (const CrashAppend& ack : acks) {
    ASSERT_EQ(ack.last_position - ack.first_position + 1, ack.count);
    ASSERT_LE(ack.last_position, log.size()) << "acknowledged append lost: " << CrashAckLine(ack);
    for (std::uint64_t i = 0; i < ack.count; ++i) {
      const StoredEvent& event = log[ack.first_position + i - 1];
      const std::string expected =
          NoteEnvelope(ack.stream, CrashEventText(ack, i),
                       CrashIdempotencyKey(ack.stream, ack.first_version));
      ASSERT_EQ(Unstamp(event.bytes), expected) << "at position " << event.position.value();
      ASSERT_EQ(event.envelope().stream_version(), ack.first_version + i);
    }
  }
}

TEST(CrashTest, SigkilledWriterKeepsEveryAcknowledgedAppend) {
  std::uint64_t seed = 20241122;
  if (const char* env = std::getenv("PORTICO_CRASH_SEED")) seed = std::strtoull(env, nullptr, 10);
  SCOPED_TRACE("PORTICO_CRASH_SEED=" + std::to_string(seed));
  ASSERT_TRUE(std::filesystem::exists(ChildBinary())) << ChildBinary();
  TempDir dir;
  const std::string log_dir = dir.Sub("log");
  const std::string child_stderr = dir.Sub("child-stderr.txt");
  std::mt19937_64 rng(seed);
  std::vector<CrashAppend> acks;
  std::vector<StoredEvent> log;
  int kills_after_first_ack = 0;

  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    {
      Child child(log_dir, seed + round, child_stderr);
      // A third of the kills land at any moment, Open included; the others once appends flow.
      const bool anytime = rng() % 3 == 0;
      if (!anytime) {
        const auto give_up = Clock::now() + std::chrono::seconds(20);
        while (child.acks().empty() && Clock::now() < give_up) {
          if (!child.ReadUntil(Clock::now() + std::chrono::milliseconds(5))) break;  // EOF
        }
        ASSERT_FALSE(child.acks().empty())
            << "the child acknowledged nothing; its stderr is in " << child_stderr << ":\n"
            << std::ifstream(child_stderr).rdbuf();
        ++kills_after_first_ack;
      }
      const auto delay = std::chrono::microseconds(rng() % (anytime ? 40'000 : 120'000));
      child.ReadUntil(Clock::now() + delay);
      const int status = child.Kill();
      ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
          << "the child died by itself (status " << status << "); its stderr:\n"
          << std::ifstream(child_stderr).rdbuf();
      acks.insert(acks.end(), child.acks().begin(), child.acks().end());
    }
    auto store = EventStore::Open(TestOptions(log_dir));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_NO_FATAL_FAILURE(CheckLog(**store, &log));
    ASSERT_NO_FATAL_FAILURE(CheckAcks(acks, log));
  }
  EXPECT_GT(kills_after_first_ack, 0);
  std::printf("crash test: %d kills, %zu acknowledged appends, %zu events in the log\n", kRounds,
              acks.size(), log.size());
}

// The newest WAL file in `dir` (RocksDB's WAL names are zero-padded numbers, so it sorts
// last), or an empty path. The child may be creating files meanwhile: errors give an empty
// path, not an exception.
std::filesystem::path NewestWal(const std::string& dir) {
  std::filesystem::path newest;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".log" && entry.path().filename() > newest.filename()) {
      newest = entry.path();
    }
  }
  return newest;
}

// True when the newest WAL file in `dir` ends in at least 4 KiB of zeros: those the store
// writes ahead of RocksDB's appends (eventstore/prezeroed_wal.h).
bool NewestWalEndsInZeros(const std::string& dir) {
  constexpr std::size_t kTail = 4096;
  const std::filesystem::path wal = NewestWal(dir);
  std::error_code error;
  if (wal.empty() || std::filesystem::file_size(wal, error) < 2 * kTail || error) return false;
  std::ifstream in(wal, std::ios::binary | std::ios::ate);
  in.seekg(-static_cast<std::streamoff>(kTail), std::ios::end);
  std::string tail(kTail, 'x');
  in.read(tail.data(), static_cast<std::streamsize>(kTail));
  return in.good() && tail.find_first_not_of('\0') == std::string::npos;
}

// Runs the crash child on `log_dir` until its newest WAL ends in zeros, then SIGKILLs it;
// `acks` gets what it acknowledged. The zeros stay for recovery to read.
void KillOnceZerosAreAhead(const std::string& log_dir, const std::string& child_stderr,
                           std::vector<CrashAppend>* acks) {
  Child child(log_dir, 20261123, child_stderr);
  const auto give_up = Clock::now() + std::chrono::seconds(60);
  bool zeros = false;
  while (!zeros && Clock::now() < give_up) {
    if (!child.ReadUntil(Clock::now() + std::chrono::milliseconds(5))) break;  // EOF
    zeros = NewestWalEndsInZeros(log_dir);
  }
  ASSERT_TRUE(zeros) << "no zeros ahead of the WAL; the child's stderr:\n"
                     << std::ifstream(child_stderr).rdbuf();
  child.ReadUntil(Clock::now() + std::chrono::milliseconds(20));
  const int status = child.Kill();
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  *acks = child.acks();
  ASSERT_FALSE(acks->empty());
  ASSERT_TRUE(NewestWalEndsInZeros(log_dir));
}

// The events in the log of `dir`, after checking it (CheckLog).
void OpenAndCheck(const std::string& dir, std::vector<StoredEvent>* log) {
  auto store = EventStore::Open(TestOptions(dir));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_NO_FATAL_FAILURE(CheckLog(**store, log));
}

// RocksDB must read past the zeros a kill leaves after the last record of its WAL.
TEST(CrashTest, AKillWithZerosAheadOfTheWalLosesNothing) {
  TempDir dir;
  const std::string log_dir = dir.Sub("log");
  std::vector<CrashAppend> acks;
  ASSERT_NO_FATAL_FAILURE(KillOnceZerosAreAhead(log_dir, dir.Sub("child-stderr.txt"), &acks));
  std::vector<StoredEvent> log;
  ASSERT_NO_FATAL_FAILURE(OpenAndCheck(log_dir, &log));
  ASSERT_NO_FATAL_FAILURE(CheckAcks(acks, log));
}

// A power cut can tear the WAL's last record, the one just before the zeros. Its missing
// bytes then read as zeros, not as the file's end, and its checksum fails: the store must
// still open, with the log as it was before that record (which holds one batch: at most one
// append per child thread).
TEST(CrashTest, ARecordTornBeforeTheZerosEndsTheLogBeforeIt) {
  TempDir dir;
  const std::string log_dir = dir.Sub("log");
  std::vector<CrashAppend> acks;
  ASSERT_NO_FATAL_FAILURE(KillOnceZerosAreAhead(log_dir, dir.Sub("child-stderr.txt"), &acks));
  // The log as the kill left it, from an untouched copy.
  const std::string untouched_dir = dir.Sub("untouched");
  std::filesystem::copy(log_dir, untouched_dir, std::filesystem::copy_options::recursive);
  std::vector<StoredEvent> untouched;
  ASSERT_NO_FATAL_FAILURE(OpenAndCheck(untouched_dir, &untouched));

  // Tear the last record: its last 64 bytes become zeros.
  const std::filesystem::path wal = NewestWal(log_dir);
  const std::string bytes = ReadFileBytes(wal.string());
  const std::size_t last = bytes.find_last_not_of('\0');
  ASSERT_NE(last, std::string::npos);
  ASSERT_GT(last, 64u);
  {
    std::fstream out(wal, std::ios::binary | std::ios::in | std::ios::out);
    out.seekp(static_cast<std::streamoff>(last - 63));
    out.write(std::string(64, '\0').data(), 64);
    ASSERT_TRUE(out.good());
  }

  std::vector<StoredEvent> log;
  ASSERT_NO_FATAL_FAILURE(OpenAndCheck(log_dir, &log));
  // Fewer events, unless the kill itself had torn that record (SIGKILL can cut a write
  // between pages), in which case both copies end before it.
  ASSERT_LE(log.size(), untouched.size());
  EXPECT_LE(untouched.size() - log.size(), 3u * kChildThreads) << "more than one batch lost";
  std::vector<CrashAppend> kept;
  for (const CrashAppend& ack : acks) {
    if (ack.last_position <= log.size()) kept.push_back(ack);
  }
  ASSERT_NO_FATAL_FAILURE(CheckAcks(kept, log));
}

}  // namespace
}  // namespace portico::eventstore::testing
