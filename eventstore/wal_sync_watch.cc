#include "eventstore/wal_sync_watch.h"

#include <algorithm>
#include <string_view>

namespace portico::eventstore {
namespace {

thread_local WalSyncWatch* t_watch = nullptr;

// A WAL file as RocksDB sees it: the target's file, reporting to the calling thread's watch.
class WatchedWalFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  explicit WatchedWalFile(std::unique_ptr<rocksdb::FSWritableFile> target)
      : FSWritableFileOwnerWrapper(std::move(target)) {}

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
    rocksdb::IOStatus s = target()->Sync(options, dbg);
    if (s.ok()) WalSyncWatch::NoteSynced(this);
    return s;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->Fsync(options, dbg);
    if (s.ok()) WalSyncWatch::NoteSynced(this);
    return s;
  }
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
  rocksdb::IOStatus s = target()->NewWritableFile(fname, options, result, dbg);
  if (s.ok() && IsWalFileName(fname)) *result = std::make_unique<WatchedWalFile>(std::move(*result));
  return s;
}

}  // namespace portico::eventstore
