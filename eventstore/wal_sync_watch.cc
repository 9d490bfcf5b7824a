#include "eventstore/wal_sync_watch.h"

#include <algorithm>
#include <atomic>
#include <string_view>

#include "eventstore/logger.h"

namespace portico::eventstore {
namespace {

thread_local WalSyncWatch* t_watch = nullptr;

// The directory holding `fname` ("." for a bare name).
std::string DirectoryOf(const std::string& fname) {
  const std::size_t slash = fname.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : fname.substr(0, slash);
}

// A WAL file as RocksDB sees it: the target's file, reporting to the calling thread's watch.
//
// A new WAL file's name is durable only once its directory is synced. RocksDB does that
// after the Sync that follows the file's first append, but the watch fires inside that Sync:
// the appends would be answered while a power loss could still take the whole file away. So
// the first successful sync of each file syncs its directory before it reports; once per
// file, so it costs nothing on the append path after that.
class WatchedWalFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  WatchedWalFile(std::unique_ptr<rocksdb::FSWritableFile> target,
                 std::shared_ptr<rocksdb::FileSystem> file_system, std::string fname)
      : FSWritableFileOwnerWrapper(std::move(target)),
        file_system_(std::move(file_system)),
        fname_(std::move(fname)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    WalSyncWatch::NoteAppend(this);
    return target()->Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& verification_info,
                           rocksdb::IODebugContext* dbg) override {
    WalSyncWatch::NoteAppend(this);
    return target()->Append(data, options, verification_info, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, std::uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    WalSyncWatch::NoteAppend(this);
    return target()->PositionedAppend(data, offset, options, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, std::uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& verification_info,
                                     rocksdb::IODebugContext* dbg) override {
    WalSyncWatch::NoteAppend(this);
    return target()->PositionedAppend(data, offset, options, verification_info, dbg);
  }

  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    return Settle(target()->Sync(options, dbg), options, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    return Settle(target()->Fsync(options, dbg), options, dbg);
  }

 private:
  // After a Sync or Fsync of the file that returned `synced`: reports the file synced once
  // its contents and its name are durable.
  rocksdb::IOStatus Settle(rocksdb::IOStatus synced, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) {
    if (synced.ok()) synced = SyncDirectoryOnce(options, dbg);
    if (synced.ok()) WalSyncWatch::NoteSynced(this);
    return synced;
  }

  rocksdb::IOStatus SyncDirectoryOnce(const rocksdb::IOOptions& options,
                                      rocksdb::IODebugContext* dbg) {
    if (name_durable_.load(std::memory_order_acquire)) return rocksdb::IOStatus::OK();
    const std::string directory = DirectoryOf(fname_);
    std::unique_ptr<rocksdb::FSDirectory> handle;
    rocksdb::IOStatus s = file_system_->NewDirectory(directory, options, &handle, dbg);
    if (s.ok()) s = handle->Fsync(options, dbg);
    if (!s.ok()) {
      Logger().error("cannot make the new WAL file {} durable: syncing {} failed: {}", fname_,
                     directory, s.ToString());
      return rocksdb::IOStatus::IOError("syncing the directory of the new WAL file " + fname_,
                                        s.ToString());
    }
    name_durable_.store(true, std::memory_order_release);
    return s;
  }

  const std::shared_ptr<rocksdb::FileSystem> file_system_;
  const std::string fname_;
  std::atomic<bool> name_durable_{false};
};

}  // namespace

bool IsWalFileName(const std::string& fname) {
  const std::size_t slash = fname.find_last_of('/');
  const std::string_view base =
      slash == std::string::npos ? std::string_view(fname) : std::string_view(fname).substr(slash + 1);
  constexpr std::string_view kSuffix = ".log";
  if (base.size() <= kSuffix.size() || !base.ends_with(kSuffix)) return false;
  const std::string_view number = base.substr(0, base.size() - kSuffix.size());
  return std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void WalSyncWatch::Arm() {
  outer_ = t_watch;
  t_watch = this;
}

WalSyncWatch::~WalSyncWatch() { t_watch = outer_; }

void WalSyncWatch::NoteAppend(const void* file) {
  WalSyncWatch* watch = t_watch;
  if (watch == nullptr || watch->fired_) return;
  const auto end = watch->unsynced_.begin() + watch->unsynced_count_;
  if (std::find(watch->unsynced_.begin(), end, file) != end) return;
  if (watch->unsynced_count_ == watch->unsynced_.size()) {
    watch->gave_up_ = true;
    return;
  }
  watch->unsynced_[watch->unsynced_count_++] = file;
}

void WalSyncWatch::NoteSynced(const void* file) {
  WalSyncWatch* watch = t_watch;
  if (watch == nullptr || watch->fired_ || watch->gave_up_) return;
  const auto end = watch->unsynced_.begin() + watch->unsynced_count_;
  const auto it = std::find(watch->unsynced_.begin(), end, file);
  if (it == end) return;  // nothing of this thread's since arming is in it
  *it = watch->unsynced_[--watch->unsynced_count_];
  if (watch->unsynced_count_ == 0) {
    watch->fired_ = true;
    watch->fire_(watch->context_);
  }
}

rocksdb::IOStatus WalSyncWatchingFileSystem::NewWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  return Watched(fname, target()->NewWritableFile(fname, options, result, dbg), result);
}

rocksdb::IOStatus WalSyncWatchingFileSystem::ReopenWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  return Watched(fname, target()->ReopenWritableFile(fname, options, result, dbg), result);
}

rocksdb::IOStatus WalSyncWatchingFileSystem::ReuseWritableFile(
    const std::string& fname, const std::string& old_fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  return Watched(fname, target()->ReuseWritableFile(fname, old_fname, options, result, dbg),
                 result);
}

rocksdb::IOStatus WalSyncWatchingFileSystem::Watched(
    const std::string& fname, rocksdb::IOStatus opened,
    std::unique_ptr<rocksdb::FSWritableFile>* result) {
  if (opened.ok() && IsWalFileName(fname)) {
    *result = std::make_unique<WatchedWalFile>(std::move(*result), target_, fname);
  }
  return opened;
}

}  // namespace portico::eventstore
