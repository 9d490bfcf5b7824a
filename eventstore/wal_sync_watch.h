// Internal: tells the group-commit writer, from inside its RocksDB Write, the moment the
// write-ahead log holding its batch is synced, so that it can answer the batch's appends
// before RocksDB inserts the batch into its memtables.
//
// Why: a Write with sync=true appends the batch to the WAL, syncs the WAL, inserts the batch
// into the memtables, and only then returns. The appends are durable after the sync; the
// memtable inserts take another 100 to 140 us for a batch of about 50 events on this
// project's VM. Answering at the sync lets the appenders prepare their next appends while the
// writer fills the memtables. Readers must then not look before the memtables have the batch:
// HeadState::AwaitAcknowledged.
//
// How: a thread arms a WalSyncWatch around its Write. WalSyncWatchingFileSystem wraps every
// WAL file. While a thread's watch is armed, each append by that thread to a WAL file marks
// the file unsynced, and each successful Sync or Fsync of the file by that thread marks it
// synced. Once every WAL file the thread appended to since arming is synced again, the watch
// fires: once, on that thread, inside that Sync. This holds however RocksDB orders things:
// - it writes the batch as one record to its newest WAL (having flushed its buffer to the
//   file before syncing it);
// - it then syncs every WAL file not yet synced, oldest first, so an older file synced
//   before the newest cannot fire the watch while the batch's file is unsynced.
// A Write without sync, or on a file system without the wrapper, never fires the watch: the
// writer then answers after the Write returns, as it would without the watch.
//
// A new WAL file (RocksDB starts one at each memtable switch) is only durable once its
// directory is synced too, which RocksDB does after syncing the file, so after the watch
// would fire. The wrapper therefore syncs the directory at the first successful sync of each
// WAL file it opened, before that sync counts; if the directory sync fails, so does the
// file's sync (RocksDB's Write fails, and the watch does not fire).
//
// Thread safety: a watch belongs to the thread that made it; the wrapper only touches the
// calling thread's watch.
#pragma once

#include <array>
#include <memory>
#include <string>

#include <rocksdb/file_system.h>

namespace portico::eventstore {

// True for the names RocksDB gives its WAL files ("000012.log", with any directory).
bool IsWalFileName(const std::string& fname);

class WalSyncWatch {
 public:
  // Arms a watch for the calling thread until destroyed; `on_synced` (a callable that
  // outlives the watch) runs when it fires.
  template <typename Callback>
  explicit WalSyncWatch(Callback& on_synced)
      : context_(&on_synced), fire_([](void* c) { (*static_cast<Callback*>(c))(); }) {
    Arm();
  }
  ~WalSyncWatch();
  WalSyncWatch(const WalSyncWatch&) = delete;
  WalSyncWatch& operator=(const WalSyncWatch&) = delete;

  bool fired() const { return fired_; }

  // Called by the wrapped WAL files (wal_sync_watch.cc), for the calling thread's watch.
  static void NoteAppend(const void* file);
  static void NoteSynced(const void* file);

 private:
  void Arm();

  void* const context_;
  void (*const fire_)(void*);
  bool fired_ = false;
  // The files appended to since arming and not synced since. RocksDB appends a batch to one
  // file (two when it switches files); past four, the watch gives up rather than guess.
  std::array<const void*, 4> unsynced_{};
  std::size_t unsynced_count_ = 0;
  bool gave_up_ = false;
  WalSyncWatch* outer_ = nullptr;  // the thread's watch before this one, if any
};

// Wraps every WAL file of its target so that WalSyncWatch sees its appends and syncs.
class WalSyncWatchingFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit WalSyncWatchingFileSystem(const std::shared_ptr<rocksdb::FileSystem>& target)
      : FileSystemWrapper(target) {}

  const char* Name() const override { return "WalSyncWatchingFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& fname,
                                       const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& fname, const std::string& old_fname,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;

 private:
  // Wraps the file `opened` as `fname` into *result when it is a WAL file.
  rocksdb::IOStatus Watched(const std::string& fname, rocksdb::IOStatus opened,
                            std::unique_ptr<rocksdb::FSWritableFile>* result);
};

}  // namespace portico::eventstore
