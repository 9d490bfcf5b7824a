// The command line of portico-replay: values given but unusable are bad arguments (exit 2,
// naming the option), and an answer that could not be written is no success (exit 5). The
// latter only the executable can show: those tests run it with stdout on /dev/full or on a
// pipe nobody reads.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "replay_testing.h"

extern char** environ;

namespace portico::replay {
namespace {

using testing::TempDir;

struct Ran {
  int exit_code = -1;
  std::string out, err;
};

// Runs `command` in-process through its command-line entry, as main() does.
Ran RunCommand(std::string_view command, const std::vector<std::string>& args) {
  for (const CommandInfo& info : Commands()) {
    if (info.name != command) continue;
    std::ostringstream out, err;
    Ran ran;
    ran.exit_code = info.main(args, false, out, err);
    ran.out = out.str();
    ran.err = err.str();
    return ran;
  }
  ADD_FAILURE() << "no command " << command;
  return {};
}

class ReplayCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    testing::RandomHistory history(dir_->path(), 5);
    history.Generate(40);
    events_ = history.envelopes().size();
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static Ran Run(std::string_view command, std::vector<std::string> args) {
    args.insert(args.begin(), {"--data-dir", dir_->path(), "--progress", "off"});
    return RunCommand(command, args);
  }

  static void ExpectBadArgument(const Ran& ran, const std::string& named) {
    EXPECT_EQ(ran.exit_code, 2) << ran.out << ran.err;
    EXPECT_NE(ran.err.find(named), std::string::npos) << ran.err;
  }

  static inline TempDir* dir_ = nullptr;
  static inline std::size_t events_ = 0;
};

TEST_F(ReplayCliTest, AnEmptyExpectedHeadIsABadArgumentNotASkippedCheck) {
  ASSERT_EQ(Run("verify", {}).exit_code, 0);
  ExpectBadArgument(Run("verify", {"--expect-head", ""}), "--expect-head is empty");
}

TEST_F(ReplayCliTest, AnEmptyCapabilityIsABadArgumentNotEveryCapability) {
  ExpectBadArgument(Run("who-can", {"--resource", "r1", "--capability", ""}), "--capability is empty");
}

TEST_F(ReplayCliTest, AnEmptySubjectIsABadArgumentNamingTheOption) {
  ASSERT_EQ(Run("timeline", {"--user", "u1"}).exit_code, 0);
  ExpectBadArgument(Run("timeline", {"--user", ""}), "--user is empty");
  ExpectBadArgument(Run("timeline", {"--org", ""}), "--org is empty");
  ExpectBadArgument(Run("timeline", {"--resource", ""}), "--resource is empty");
  // An empty one beside a real one is still two subjects, not one.
  ExpectBadArgument(Run("timeline", {"--user", "u1", "--org", ""}), "give exactly one of");
}

TEST_F(ReplayCliTest, AnEmptySnapshotDirIsABadArgumentNotTheDefaultDirectory) {
  // The default directory holds a snapshot that must survive the refused command.
  const std::filesystem::path kept = std::filesystem::path(dir_->path()) / "snapshots" / "access.snapshot";
  std::filesystem::create_directories(kept.parent_path());
  std::ofstream(kept) << "damaged, so an unguarded rebuild would remove it";
  ExpectBadArgument(Run("rebuild", {"--snapshot-dir", ""}), "--snapshot-dir is empty");
  EXPECT_TRUE(std::filesystem::exists(kept));
  std::filesystem::remove_all(kept.parent_path());
}

TEST_F(ReplayCliTest, ANegativePositionIsABadArgumentNotTheLargestOne) {
  ExpectBadArgument(Run("export", {"--to-position=-1"}), "--to-position '-1' is not a log position");
  ExpectBadArgument(Run("export", {"--from-position", "-3"}), "--from-position '-3'");
  ExpectBadArgument(Run("as-of", {"--position=-1"}), "--position '-1'");
  ExpectBadArgument(Run("diff", {"--to-position=-1"}), "--to-position '-1'");
  ExpectBadArgument(Run("as-of", {"--position", "12abc"}), "--position '12abc'");
  ExpectBadArgument(Run("as-of", {"--position", "+5"}), "--position '+5'");
}

TEST_F(ReplayCliTest, APositionBeyond64BitsIsABadArgument) {
  ExpectBadArgument(Run("export", {"--from-position", "18446744073709551616"}),
                    "--from-position '18446744073709551616' is not a log position");
}

TEST_F(ReplayCliTest, AReversedRangeIsABadArgument) {
  ExpectBadArgument(Run("export", {"--from-position", "5", "--to-position", "3"}),
                    "--from-position 5 is after --to-position 3");
  ExpectBadArgument(Run("timeline", {"--user", "u1", "--from", "2000-01-02T00:00:00Z", "--to", "2000-01-01T00:00:00Z"}),
                    "--from 2000-01-02T00:00:00Z is after --to 2000-01-01T00:00:00Z");
  // Both times are before the first event, so both resolve to position 0: only the times
  // themselves show the range is reversed.
  ExpectBadArgument(Run("diff", {"--from", "2000-01-02T00:00:00Z", "--to", "2000-01-01T00:00:00Z"}), "is before --from");
}

TEST_F(ReplayCliTest, ABadTimeNamesItsOption) {
  ExpectBadArgument(Run("as-of", {"--at", ""}), "--at: empty time");
  ExpectBadArgument(Run("export", {"--to", "tomorrow"}), "--to: bad time 'tomorrow'");
}

// The earliest time there is: every event is at or after it (computing "just before it"
// overflowed, and exported nothing).
TEST_F(ReplayCliTest, ExportFromTheEarliestTimeExportsEverything) {
  const Ran ran = Run("export", {"--from", "-9223372036854775808"});
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(static_cast<std::size_t>(std::count(ran.out.begin(), ran.out.end(), '\n')), events_);
}

// --- the executable ---

struct Spawned {
  int exit_code = -1;
  std::string err;
};

// Runs portico-replay with `args`, stdout on `stdout_fd`, stderr in a file.
Spawned SpawnReplay(const std::vector<std::string>& args, int stdout_fd, const std::string& err_file) {
  std::vector<std::string> all{PORTICO_REPLAY_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  Spawned spawned;
  const int started = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(started, 0) << argv[0];
  if (started != 0) return spawned;
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status)) << "killed by signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  spawned.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_file);
  spawned.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return spawned;
}

TEST_F(ReplayCliTest, AnAnswerWrittenToAFullDiskIsExit5) {
  const int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(full, 0) << "no /dev/full";
  const std::string err_file = dir_->path() + "/stderr";
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"verify", "--data-dir", dir_->path()},
           {"as-of", "--data-dir", dir_->path()},
           {"who-can", "--data-dir", dir_->path(), "--resource", "r1"},
           {"what-can", "--data-dir", dir_->path(), "--user", "u1"},
           {"diff", "--data-dir", dir_->path()},
           {"export", "--data-dir", dir_->path()},
           {"--help"}}) {
    const Spawned ran = SpawnReplay(args, full, err_file);
    EXPECT_EQ(ran.exit_code, 5) << args[0] << ": " << ran.err;
    EXPECT_NE(ran.err.find("the output could not be written to stdout"), std::string::npos)
        << args[0] << ": " << ran.err;
  }
  ::close(full);
}

TEST_F(ReplayCliTest, AnAnswerWrittenToAClosedPipeIsExit5) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  ::close(pipe_fds[0]);  // nobody reads
  const Spawned ran = SpawnReplay({"export", "--data-dir", dir_->path()}, pipe_fds[1], dir_->path() + "/stderr");
  ::close(pipe_fds[1]);
  EXPECT_EQ(ran.exit_code, 5) << ran.err;
  EXPECT_NE(ran.err.find("could not be written"), std::string::npos) << ran.err;
}

TEST_F(ReplayCliTest, AnAnswerWrittenIsStillExit0) {
  const std::string out_file = dir_->path() + "/stdout";
  const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(out, 0);
  const Spawned ran = SpawnReplay({"verify", "--data-dir", dir_->path()}, out, dir_->path() + "/stderr");
  ::close(out);
  EXPECT_EQ(ran.exit_code, 0) << ran.err;
  std::ifstream in(out_file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("result: OK"), std::string::npos) << text;
}

}  // namespace
}  // namespace portico::replay
