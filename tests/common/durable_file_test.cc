// ReplaceFileDurably (common/durable_file.h) on the real file system.
#include "common/durable_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace portico {
namespace {

namespace fs = std::filesystem;

class DurableFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("portico-durable-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string Read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static mode_t ModeOf(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  fs::path dir_;
};

TEST_F(DurableFileTest, CreatesAndReplacesWithTheGivenMode) {
  const fs::path path = dir_ / "keys";
  ASSERT_TRUE(ReplaceFileDurably(path.string(), "first\n", 0600).ok());
  EXPECT_EQ(Read(path), "first\n");
  EXPECT_EQ(ModeOf(path), 0600u);

  // A temporary file left behind by a failed attempt, readable by all, does not lend the new
  // file its mode.
  std::ofstream(path.string() + ".tmp") << "left over";
  ASSERT_EQ(::chmod((path.string() + ".tmp").c_str(), 0644), 0);
  ASSERT_TRUE(ReplaceFileDurably(path.string(), std::string(100'000, 'y'), 0600).ok());
  EXPECT_EQ(Read(path), std::string(100'000, 'y'));
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_FALSE(fs::exists(path.string() + ".tmp"));
}

TEST_F(DurableFileTest, AFailureNamesTheFileAndLeavesTheOldContents) {
  // The target is a directory holding a file: the rename cannot replace it.
  const fs::path path = dir_ / "checkpoint";
  fs::create_directories(path);
  std::ofstream(path / "inside") << "kept";
  const Status replaced = ReplaceFileDurably(path.string(), "7\n");
  ASSERT_FALSE(replaced.ok());
  EXPECT_EQ(replaced.code(), StatusCode::kInternal);
  EXPECT_NE(replaced.message().find(path.string()), std::string::npos) << replaced.ToString();
  EXPECT_EQ(Read(path / "inside"), "kept");

  const Status no_directory = ReplaceFileDurably((dir_ / "missing" / "file").string(), "x");
  ASSERT_FALSE(no_directory.ok());
  EXPECT_NE(no_directory.message().find("missing"), std::string::npos) << no_directory.ToString();
}

}  // namespace
}  // namespace portico
