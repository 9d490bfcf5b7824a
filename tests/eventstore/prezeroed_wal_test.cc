// The file system that keeps zeros written ahead of RocksDB's WAL (prezeroed_wal.h), on real
// files: the zeros stay ahead of the appends, never cover an appended byte, and are cut on
// close; other files are left alone.
#include "eventstore/prezeroed_wal.h"

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "eventstore/file_system_testing.h"
#include "eventstore/store_testing.h"

namespace portico::eventstore::testing {
namespace {

// Small limits, so that a test appends through many pieces.
constexpr WalZeroingLimits kSmall{/*start_after=*/4096, /*lookahead=*/64 << 10,
                                  /*piece=*/8 << 10};

// Waits (at most 30 s) until the file on disk is at least `size` bytes long.
bool GrowsTo(const std::string& path, std::uint64_t size) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::filesystem::file_size(path) < size) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

class PrezeroedWalTest : public ::testing::Test {
 protected:
  std::unique_ptr<rocksdb::FSWritableFile> Create(const std::string& name) {
    return CreateFileThrough(*fs_, dir_.Sub(name));
  }

  // Appends `count` chunks of 1 to 6,000 bytes, each filled with a byte of its own (never
  // zero), and returns everything appended.
  static std::string AppendChunks(rocksdb::FSWritableFile& file, int count, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::string all;
    for (int i = 0; i < count; ++i) {
      const std::string chunk(1 + rng() % 6000, static_cast<char>(1 + i % 255));
      EXPECT_TRUE(file.Append(chunk, rocksdb::IOOptions(), nullptr).ok());
      all += chunk;
    }
    return all;
  }

  TempDir dir_;
  std::shared_ptr<PrezeroedWalFileSystem> fs_ =
      std::make_shared<PrezeroedWalFileSystem>(rocksdb::FileSystem::Default(), kSmall);
};

TEST_F(PrezeroedWalTest, ZerosStayAheadOfTheAppendsAndNeverCoverThem) {
  const std::string path = dir_.Sub("000003.log");
  auto file = Create("000003.log");
  // Appends race the zeroing thread: every byte must read back as appended.
  std::string appended = AppendChunks(*file, 400, 7);
  ASSERT_TRUE(file->Flush(rocksdb::IOOptions(), nullptr).ok());
  ASSERT_TRUE(GrowsTo(path, appended.size() + kSmall.lookahead / 2))
      << "no zeros ahead of " << appended.size() << " appended bytes";
  const std::string on_disk = ReadFileBytes(path);
  ASSERT_EQ(on_disk.substr(0, appended.size()), appended);
  EXPECT_EQ(on_disk.find_first_not_of('\0', appended.size()), std::string::npos)
      << "something other than zeros after the appends";

  // More appends overwrite the zeros; closing cuts those left.
  appended += AppendChunks(*file, 50, 8);
  ASSERT_TRUE(file->Close(rocksdb::IOOptions(), nullptr).ok());
  EXPECT_EQ(ReadFileBytes(path), appended);
}

// The zeroing thread claims a piece, then writes it. An append that reaches the piece in
// between must wait, or the zeros would land on its bytes. The thread is slowed down between
// claim and write so that appends do reach its pieces.
TEST(PrezeroedWalRaceTest, AnAppendReachingAPieceBeingZeroedWaitsForIt) {
  TempDir dir;
  auto fs = std::make_shared<PrezeroedWalFileSystem>(rocksdb::FileSystem::Default(), kSmall, [] {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  });
  const std::string path = dir.Sub("000009.log");
  std::unique_ptr<rocksdb::FSWritableFile> file;
  ASSERT_TRUE(fs->NewWritableFile(path, rocksdb::FileOptions(), &file, nullptr).ok());
  std::mt19937_64 rng(11);
  std::string appended;
  for (int i = 0; i < 3000; ++i) {
    const std::string chunk(1 + rng() % 600, static_cast<char>(1 + i % 255));
    ASSERT_TRUE(file->Append(chunk, rocksdb::IOOptions(), nullptr).ok());
    appended += chunk;
  }
  ASSERT_TRUE(file->Flush(rocksdb::IOOptions(), nullptr).ok());
  const std::string on_disk = ReadFileBytes(path);
  ASSERT_GE(on_disk.size(), appended.size());
  for (std::size_t at = 0; at < appended.size(); ++at) {
    ASSERT_EQ(on_disk[at], appended[at]) << "byte " << at << " of " << appended.size();
  }
  ASSERT_TRUE(file->Close(rocksdb::IOOptions(), nullptr).ok());
}

TEST_F(PrezeroedWalTest, ASmallWalGetsNoZeros) {
  const std::string path = dir_.Sub("000003.log");
  auto file = Create("000003.log");
  const std::string appended(kSmall.start_after - 1, 'x');
  ASSERT_TRUE(file->Append(appended, rocksdb::IOOptions(), nullptr).ok());
  ASSERT_TRUE(file->Flush(rocksdb::IOOptions(), nullptr).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // time a zeroing would have had
  EXPECT_EQ(std::filesystem::file_size(path), appended.size());
  ASSERT_TRUE(file->Close(rocksdb::IOOptions(), nullptr).ok());
}

TEST_F(PrezeroedWalTest, OtherFilesAreTheTargetsOwn) {
  const std::string path = dir_.Sub("MANIFEST-000001");
  auto file = Create("MANIFEST-000001");
  const std::string appended = AppendChunks(*file, 100, 9);
  ASSERT_TRUE(file->Flush(rocksdb::IOOptions(), nullptr).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(ReadFileBytes(path), appended);
  ASSERT_TRUE(file->Close(rocksdb::IOOptions(), nullptr).ok());
}

TEST_F(PrezeroedWalTest, AFileDestroyedWithoutCloseStopsItsZeros) {
  const std::string path = dir_.Sub("000005.log");
  std::string appended;
  {
    auto file = Create("000005.log");
    appended = AppendChunks(*file, 200, 10);
    ASSERT_TRUE(file->Flush(rocksdb::IOOptions(), nullptr).ok());
  }
  // Nothing writes to the file once its wrapper is gone.
  const auto size = std::filesystem::file_size(path);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(std::filesystem::file_size(path), size);
  EXPECT_EQ(ReadFileBytes(path).substr(0, appended.size()), appended);
}

}  // namespace
}  // namespace portico::eventstore::testing
