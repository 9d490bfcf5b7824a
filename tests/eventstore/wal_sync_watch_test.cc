// The watch that tells the group-commit writer when the WAL holding its batch is synced
// (wal_sync_watch.h), on real files: it fires once every WAL file the thread appended to
// since arming is synced, never before, never for other threads' writes or other files,
// and never after a failed sync.
#include "eventstore/wal_sync_watch.h"

#include <functional>
#include <thread>

#include <gtest/gtest.h>

#include "eventstore/file_system_testing.h"
#include "eventstore/store_testing.h"

namespace portico::eventstore::testing {
namespace {

// A file system whose files all fail to sync (a fake of the target, for the one test that
// needs a failing sync).
class FailingSyncFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit FailingSyncFileSystem(const std::shared_ptr<rocksdb::FileSystem>& target)
      : FileSystemWrapper(target) {}
  const char* Name() const override { return "FailingSyncFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(fname, options, result, dbg);
    if (s.ok()) *result = std::make_unique<FailingSyncFile>(std::move(*result));
    return s;
  }

 private:
  class FailingSyncFile final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    using FSWritableFileOwnerWrapper::FSWritableFileOwnerWrapper;
    rocksdb::IOStatus Sync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
      return rocksdb::IOStatus::IOError("the disk is gone");
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
      return rocksdb::IOStatus::IOError("the disk is gone");
    }
  };
};

class WalSyncWatchTest : public ::testing::Test {
 protected:
  std::unique_ptr<rocksdb::FSWritableFile> Create(const std::string& name) {
    return CreateFileThrough(*fs_, dir_.Sub(name));
  }
  static void Append(rocksdb::FSWritableFile& file) {
    ASSERT_TRUE(file.Append("a record", rocksdb::IOOptions(), nullptr).ok());
  }
  static void Sync(rocksdb::FSWritableFile& file) {
    ASSERT_TRUE(file.Sync(rocksdb::IOOptions(), nullptr).ok());
  }

  TempDir dir_;
  std::shared_ptr<rocksdb::FileSystem> fs_ =
      std::make_shared<WalSyncWatchingFileSystem>(rocksdb::FileSystem::Default());
  int fired_ = 0;
  std::function<void()> on_synced_ = [this] { ++fired_; };
};

TEST(WalFileNameTest, OnlyRocksDbWalNamesAreWalFiles) {
  EXPECT_TRUE(IsWalFileName("000012.log"));
  EXPECT_TRUE(IsWalFileName("/var/lib/portico/log/000004.log"));
  EXPECT_FALSE(IsWalFileName("LOG"));
  EXPECT_FALSE(IsWalFileName("/x/LOG.old.1700000000"));
  EXPECT_FALSE(IsWalFileName("/x/MANIFEST-000005"));
  EXPECT_FALSE(IsWalFileName("/x/000007.sst"));
  EXPECT_FALSE(IsWalFileName("/x/server.log"));
  EXPECT_FALSE(IsWalFileName("/x/.log"));
  EXPECT_FALSE(IsWalFileName("/000001.log/MANIFEST-000001"));
}

TEST_F(WalSyncWatchTest, FiresOnceWhenTheFileAppendedToIsSynced) {
  auto wal = Create("000005.log");
  {
    const WalSyncWatch watch(on_synced_);
    Append(*wal);
    Append(*wal);
    EXPECT_FALSE(watch.fired()) << "fired before any sync";
    Sync(*wal);
    EXPECT_TRUE(watch.fired());
    Sync(*wal);
  }
  EXPECT_EQ(fired_, 1);
  // Disarmed: later appends and syncs are nobody's.
  Append(*wal);
  Sync(*wal);
  EXPECT_EQ(fired_, 1);
}

TEST_F(WalSyncWatchTest, AnOlderFileSyncedFirstDoesNotFireIt) {
  // What RocksDB does when it switches WAL files in a Write: the rest of the old buffer goes
  // to the old file, the batch to the new one, then it syncs the old file, then the new.
  auto old_wal = Create("000007.log");
  auto new_wal = Create("000009.log");
  const WalSyncWatch watch(on_synced_);
  Append(*old_wal);
  Append(*new_wal);
  Sync(*old_wal);
  EXPECT_FALSE(watch.fired()) << "fired while the batch's file was not synced";
  Sync(*new_wal);
  EXPECT_TRUE(watch.fired());
  EXPECT_EQ(fired_, 1);
}

TEST_F(WalSyncWatchTest, OnlyAppendsOfTheArmedThreadSinceArmingCount) {
  auto wal = Create("000011.log");
  Append(*wal);  // before arming
  const WalSyncWatch watch(on_synced_);
  Sync(*wal);
  std::thread other([&] {
    Append(*wal);  // another thread's
    Sync(*wal);
  });
  other.join();
  Sync(*wal);
  EXPECT_FALSE(watch.fired());
  EXPECT_EQ(fired_, 0);
}

TEST_F(WalSyncWatchTest, OtherFilesAreNotWatched) {
  auto manifest = Create("MANIFEST-000001");
  const WalSyncWatch watch(on_synced_);
  Append(*manifest);
  Sync(*manifest);
  EXPECT_FALSE(watch.fired());
}

TEST_F(WalSyncWatchTest, AFailedSyncDoesNotFireIt) {
  fs_ = std::make_shared<WalSyncWatchingFileSystem>(
      std::make_shared<FailingSyncFileSystem>(rocksdb::FileSystem::Default()));
  auto wal = Create("000013.log");
  const WalSyncWatch watch(on_synced_);
  Append(*wal);
  EXPECT_FALSE(wal->Sync(rocksdb::IOOptions(), nullptr).ok());
  EXPECT_FALSE(wal->Fsync(rocksdb::IOOptions(), nullptr).ok());
  EXPECT_FALSE(watch.fired());
  EXPECT_EQ(fired_, 0);
}

}  // namespace
}  // namespace portico::eventstore::testing
