// LogDb: the replay tool's own read-only view of the event log's RocksDB database, whose
// layout eventstore/keys.h documents. The replay does not go through EventStore, so that an
// audit never depends on the store's own checks; it reads the raw keys and values and verifies
// them itself (chain_check.h).
//
// Opening: `log_dir` is DATA_DIR/log. Modes:
//   - kReadOnly: rocksdb::DB::OpenForReadOnly. Takes no lock and writes nothing. Safe on a log
//     no process writes; beside a running server it may fail or miss files that the server's
//     compactions delete.
//   - kSecondary: rocksdb::DB::OpenAsSecondary, the mode RocksDB supports beside a running
//     primary: it replays the primary's MANIFEST and WAL once at open (the view is then fixed
//     for the LogDb's life) and keeps every table file open, so the primary's compactions
//     cannot pull files from under a scan. It reads each WAL file only up to its last whole,
//     intact record (wal_prefix.h): the zeros the server keeps ahead of the WAL's end and a
//     record being written are the end for now, never damage nor a skip. Its own info log goes to a private temporary
//     directory, removed on close.
//   - kAuto: kSecondary when another process holds the log's LOCK (a server is running),
//     otherwise kReadOnly.
// Either way the view is one consistent state of the log: each of the server's group commits
// is one WriteBatch, so an event, its index entries and the head record appear together.
//
// Errors from Open: NotFound when `log_dir` (or its data directory) does not exist or holds no
// portico log (no RocksDB database, no "events" column family, no format record);
// FailedPrecondition for a log format this build does not read; Unavailable when the database
// exists but cannot be opened (damaged files, I/O error, no permission).
//
// Thread safety: const methods may be called from any thread; cursors are single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/strong_type.h"
#include "eventstore/keys.h"

namespace portico::replay {

enum class OpenMode : std::uint8_t { kAuto, kReadOnly, kSecondary };

// "auto", "read-only", "secondary"; ParseOpenMode is the inverse (nullopt when unknown).
std::string_view OpenModeName(OpenMode mode);
std::optional<OpenMode> ParseOpenMode(std::string_view name);

// A forward cursor over the raw entries of one column family. key() and value() are valid
// until the next call to Next(). After the loop, status() says whether it ended cleanly.
class RawCursor {
 public:
  virtual ~RawCursor() = default;
  virtual bool Valid() const = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual void Next() = 0;
  // OK, or the read error that stopped the cursor (Corruption for damaged table files).
  virtual Status status() const = 0;
};

class LogDb {
 public:
  static Result<std::unique_ptr<LogDb>> Open(const std::string& log_dir, OpenMode mode);

  virtual ~LogDb() = default;
  LogDb(const LogDb&) = delete;
  LogDb& operator=(const LogDb&) = delete;

  // The mode actually used (never kAuto).
  virtual OpenMode mode() const = 0;

  // The head record ("default" family), as read at open; nullopt when absent, Corruption when
  // it is malformed.
  virtual Result<std::optional<eventstore::HeadRecord>> head_record() const = 0;
  // The largest key of the "events" family at open, decoded; Position(0) when it is empty.
  // Corruption when that key is malformed.
  virtual Result<Position> LastStoredPosition() const = 0;

  // The raw value stored at `position`, nullopt when there is none.
  virtual Result<std::optional<std::string>> ReadEvent(Position position) const = 0;

  // Entries of the "events" family with from <= key <= to (big-endian u64 keys; a malformed
  // key of another length is visited too, in byte order).
  virtual std::unique_ptr<RawCursor> EventCursor(Position from, Position to) const = 0;
  // Every entry of the "streams" family (the stream index), in key order.
  virtual std::unique_ptr<RawCursor> StreamIndexCursor() const = 0;

 protected:
  LogDb() = default;
};

// True when another process holds the RocksDB LOCK of `log_dir`: a server has the log open.
// False when no LOCK file exists.
bool LogIsLockedByAnotherProcess(const std::string& log_dir);

}  // namespace portico::replay
