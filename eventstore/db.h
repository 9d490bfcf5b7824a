// Internal: the RocksDB database of the event log and its column families (keys.h), opened
// and closed together. This header names RocksDB types and is not part of the public API;
// tests and the benchmark include it to reach the raw database.
//
// Thread safety: a Db is immutable after Open; RocksDB itself is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/options.h>

#include "common/status.h"

namespace portico::eventstore {

// The RocksDB options the store opens its database with (also used by the benchmark's raw
// baseline, so that both run on the same configuration).
rocksdb::DBOptions MakeDbOptions();
rocksdb::ColumnFamilyOptions MakeColumnFamilyOptions(std::string_view column_family);

// Converts a failed RocksDB status, prefixing `context` ("reading position 12").
Status FromRocksDb(const rocksdb::Status& status, std::string_view context);

class Db {
 public:
  // Opens (creating when missing, unless read_only) the database in `dir` with every column
  // family of keys.h. read_only uses rocksdb::DB::OpenForReadOnly: no writes, no recovery
  // that writes, and the directory must already hold a log. A writable database keeps zeros
  // written ahead of its WAL (prezeroed_wal.h) unless `zero_wal_ahead` is false, and lets
  // its writer see its WAL syncs (wal_sync_watch.h). A writable database writes through
  // `file_system` (tests inject faults with it); null means rocksdb::FileSystem::Default().
  static Result<std::unique_ptr<Db>> Open(
      const std::string& dir, bool read_only, bool zero_wal_ahead = true,
      std::shared_ptr<rocksdb::FileSystem> file_system = nullptr);

  ~Db();  // closes the database
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* meta() const { return handles_[0]; }
  rocksdb::ColumnFamilyHandle* events() const { return handles_[1]; }
  rocksdb::ColumnFamilyHandle* streams() const { return handles_[2]; }
  rocksdb::ColumnFamilyHandle* idempotency() const { return handles_[3]; }

 private:
  Db() = default;

  std::unique_ptr<rocksdb::Env> env_;  // the DB's file system, when not the default; outlives db_
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* handles_[4] = {};
};

}  // namespace portico::eventstore
