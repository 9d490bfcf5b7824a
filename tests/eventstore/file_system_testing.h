// Helpers for the tests of the store's RocksDB file system wrappers (prezeroed_wal.h,
// wal_sync_watch.h).
#pragma once

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

}  // namespace portico::eventstore::testing
