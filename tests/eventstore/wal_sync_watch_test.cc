// The watch that tells the group-commit writer when the WAL holding its batch is synced
// (wal_sync_watch.h), on real files: it fires once every WAL file the thread appended to
// since arming is synced, never before, never for other threads' writes or other files,
// and never after a failed sync.
#include "eventstore/wal_sync_watch.h"

#include <functional>
#include <thread>
#include <vector>

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

// Records, in order, the syncs of its files ("sync <name>") and of its directories ("sync
// directory"), which fail when `fail_directory_syncs`.
class RecordingFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  RecordingFileSystem(std::vector<std::string>& calls, bool fail_directory_syncs)
      : FileSystemWrapper(rocksdb::FileSystem::Default()),
        calls_(calls),
        fail_directory_syncs_(fail_directory_syncs) {}
  const char* Name() const override { return "RecordingFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(fname, options, result, dbg);
    const std::string name = fname.substr(fname.find_last_of('/') + 1);
    if (s.ok()) *result = std::make_unique<File>(std::move(*result), calls_, name);
    return s;
  }
  rocksdb::IOStatus NewDirectory(const std::string&, const rocksdb::IOOptions&,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext*) override {
    *result = std::make_unique<Directory>(calls_, fail_directory_syncs_);
    return rocksdb::IOStatus::OK();
  }

 private:
  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> target, std::vector<std::string>& calls,
         std::string name)
        : FSWritableFileOwnerWrapper(std::move(target)), calls_(calls), name_(std::move(name)) {}
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      calls_.push_back("sync " + name_);
      return target()->Sync(o, d);
    }

   private:
    std::vector<std::string>& calls_;
    const std::string name_;
  };
  class Directory final : public rocksdb::FSDirectory {
   public:
    Directory(std::vector<std::string>& calls, bool fail) : calls_(calls), fail_(fail) {}
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
      calls_.push_back("sync directory");
      return fail_ ? rocksdb::IOStatus::IOError("injected EIO") : rocksdb::IOStatus::OK();
    }

   private:
    std::vector<std::string>& calls_;
    const bool fail_;
  };

  std::vector<std::string>& calls_;
  const bool fail_directory_syncs_;
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

TEST_F(WalSyncWatchTest, ANewWalFilesDirectoryIsSyncedBeforeTheWatchFiresOncePerFile) {
  std::vector<std::string> calls;
  fs_ = std::make_shared<WalSyncWatchingFileSystem>(
      std::make_shared<RecordingFileSystem>(calls, /*fail_directory_syncs=*/false));
  std::function<void()> record_fired = [&] { calls.push_back("fired"); };
  auto wal = Create("000015.log");
  {
    const WalSyncWatch watch(record_fired);
    Append(*wal);
    Sync(*wal);
  }
  EXPECT_EQ(calls, (std::vector<std::string>{"sync 000015.log", "sync directory", "fired"}));
  calls.clear();
  {
    const WalSyncWatch watch(record_fired);
    Append(*wal);
    Sync(*wal);
  }
  EXPECT_EQ(calls, (std::vector<std::string>{"sync 000015.log", "fired"}))
      << "the file's name is durable already";
}

TEST_F(WalSyncWatchTest, AFailedDirectorySyncFailsTheSyncAndDoesNotFire) {
  std::vector<std::string> calls;
  fs_ = std::make_shared<WalSyncWatchingFileSystem>(
      std::make_shared<RecordingFileSystem>(calls, /*fail_directory_syncs=*/true));
  auto wal = Create("000017.log");
  const WalSyncWatch watch(on_synced_);
  Append(*wal);
  const rocksdb::IOStatus synced = wal->Sync(rocksdb::IOOptions(), nullptr);
  EXPECT_FALSE(synced.ok()) << "the file's name is not durable";
  EXPECT_FALSE(watch.fired());
  EXPECT_EQ(fired_, 0);
}

}  // namespace
}  // namespace portico::eventstore::testing
