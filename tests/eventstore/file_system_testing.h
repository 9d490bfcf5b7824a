// Helpers for the tests of the store's RocksDB file system wrappers (prezeroed_wal.h,
// wal_sync_watch.h).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <rocksdb/file_system.h>

namespace portico::eventstore::testing {

// Creates the file at `path` through `fs`; a failure fails the test and returns null.
inline std::unique_ptr<rocksdb::FSWritableFile> CreateFileThrough(rocksdb::FileSystem& fs,
                                                                  const std::string& path) {
  std::unique_ptr<rocksdb::FSWritableFile> file;
  const rocksdb::IOStatus s = fs.NewWritableFile(path, rocksdb::FileOptions(), &file, nullptr);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return file;
}

// Passes everything to the default file system, except that, while switched on, syncs of WAL
// files and of directories fail as a dying disk's would (EIO).
class FaultyFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  FaultyFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FaultyFileSystem"; }

  std::atomic<bool> fail_wal_syncs{false};
  std::atomic<bool> fail_directory_syncs{false};

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(fname, options, result, dbg);
    if (s.ok() && fname.ends_with(".log")) *result = std::make_unique<File>(std::move(*result), *this);
    return s;
  }
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewDirectory(name, options, result, dbg);
    if (s.ok()) *result = std::make_unique<Directory>(std::move(*result), *this);
    return s;
  }

 private:
  static rocksdb::IOStatus Failed(const char* what) {
    return rocksdb::IOStatus::IOError(what, "injected EIO");
  }

  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> target, const FaultyFileSystem& fs)
        : FSWritableFileOwnerWrapper(std::move(target)), fs_(fs) {}
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      return fs_.fail_wal_syncs ? Failed("syncing a WAL file") : target()->Sync(o, d);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      return fs_.fail_wal_syncs ? Failed("syncing a WAL file") : target()->Fsync(o, d);
    }

   private:
    const FaultyFileSystem& fs_;
  };

  class Directory final : public rocksdb::FSDirectory {
   public:
    Directory(std::unique_ptr<rocksdb::FSDirectory> target, const FaultyFileSystem& fs)
        : target_(std::move(target)), fs_(fs) {}
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      return fs_.fail_directory_syncs ? Failed("syncing a directory") : target_->Fsync(o, d);
    }
    rocksdb::IOStatus Close(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      return target_->Close(o, d);
    }

   private:
    const std::unique_ptr<rocksdb::FSDirectory> target_;
    const FaultyFileSystem& fs_;
  };
};

}  // namespace portico::eventstore::testing
