#include "eventstore/prezeroed_wal.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "eventstore/logger.h"
#include "eventstore/wal_sync_watch.h"

namespace portico::eventstore {
namespace {

// What the WAL's wrapper and the zeroing thread share about one file. Offsets are bytes
// from the start of the file.
struct WalTail {
  WalTail(std::string file, int descriptor) : path(std::move(file)), fd(descriptor) {}
  ~WalTail() { ::close(fd); }
  WalTail(const WalTail&) = delete;
  WalTail& operator=(const WalTail&) = delete;

  const std::string path;
  const int fd;  // the zeroer's own descriptor (O_WRONLY)

  std::mutex mutex;
  std::condition_variable piece_done;
  std::uint64_t appended = 0;     // GUARDED_BY(mutex): end of RocksDB's appends, reserved
  std::uint64_t zeroed_end = 0;   // GUARDED_BY(mutex): where the zeros written so far end
  std::uint64_t claim_begin = 0;  // GUARDED_BY(mutex): the piece being zeroed now
  std::uint64_t claim_end = 0;    //   (none when equal)
  bool queued = false;            // GUARDED_BY(mutex): waiting for the zeroer, or in its hands
  bool stopped = false;           // GUARDED_BY(mutex): closed, or zeroing failed
};

}  // namespace

// The background thread: tops up the zeros of every WAL file that asks for it.
class PrezeroedWalFileSystem::Zeroer {
 public:
  Zeroer(const WalZeroingLimits& limits, std::function<void()> before_each_piece)
      : limits_(limits),
        before_each_piece_(std::move(before_each_piece)),
        zeros_(limits.piece, '\0'),
        thread_([this] { Run(); }) {}

  ~Zeroer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_.notify_one();
    thread_.join();
  }

  // Called with tail.mutex held, after an append moved tail.appended: marks the file queued
  // when fewer than half of its zeros remain ahead, and then returns true: the caller must
  // hand it to Wake(), once the mutex is released.
  bool QueueIfLow(WalTail& tail) const {
    if (tail.stopped || tail.queued || tail.appended < limits_.start_after) return false;
    const std::uint64_t ahead =
        tail.zeroed_end > tail.appended ? tail.zeroed_end - tail.appended : 0;
    if (ahead >= limits_.lookahead / 2) return false;
    tail.queued = true;
    return true;
  }

  void Wake(std::shared_ptr<WalTail> tail) {
    {
      std::lock_guard lock(mutex_);
      pending_.push_back(std::move(tail));
    }
    work_.notify_one();
  }

 private:
  void Run() {
    pthread_setname_np(pthread_self(), "portico-walzero");
    for (;;) {
      std::shared_ptr<WalTail> tail;
      {
        std::unique_lock lock(mutex_);
        work_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
        if (stopping_) return;
        tail = std::move(pending_.front());
        pending_.pop_front();
      }
      TopUp(*tail);
    }
  }

  // Zeroes pieces until `lookahead` bytes are ready past the file's end or the file stops.
  void TopUp(WalTail& tail) {
    for (;;) {
      std::uint64_t begin = 0;
      {
        std::lock_guard lock(tail.mutex);
        if (tail.stopped || tail.zeroed_end >= tail.appended + limits_.lookahead) {
          tail.queued = false;
          return;
        }
        // With no zeros ahead (the first piece, or RocksDB overtook them), start a piece past
        // the end, so that the next appends need not wait for this one.
        begin = tail.zeroed_end > tail.appended ? tail.zeroed_end : tail.appended + limits_.piece;
        tail.claim_begin = begin;
        tail.claim_end = begin + limits_.piece;
      }
      if (before_each_piece_) before_each_piece_();
      const bool written = WriteZeros(tail, begin);
      {
        std::lock_guard lock(tail.mutex);
        if (written) {
          tail.zeroed_end = tail.claim_end;
        } else {
          tail.stopped = true;
        }
        tail.claim_begin = tail.claim_end = 0;
      }
      tail.piece_done.notify_all();
      // Outside the claim: once written, RocksDB may overwrite the zeros before they are synced.
      if (written && !Sync(tail)) {
        std::lock_guard lock(tail.mutex);
        tail.stopped = true;
      }
    }
  }

  // One piece of zeros at `begin`. Logs and returns false on failure.
  bool WriteZeros(const WalTail& tail, std::uint64_t begin) {
    std::size_t done = 0;
    while (done < zeros_.size()) {
      const ssize_t n = ::pwrite(tail.fd, zeros_.data() + done, zeros_.size() - done,
                                 static_cast<off_t>(begin + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        Logger().warn("stopped writing zeros ahead of WAL {}: {}", tail.path,
                      n < 0 ? std::strerror(errno) : "nothing written");
        return false;
      }
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Makes the zeros durable, so that the WAL's own fdatasync finds their blocks written and
  // the file's size already on disk.
  static bool Sync(const WalTail& tail) {
    if (::fdatasync(tail.fd) == 0) return true;
    Logger().warn("stopped writing zeros ahead of WAL {}: fdatasync: {}", tail.path,
                  std::strerror(errno));
    return false;
  }

  const WalZeroingLimits limits_;
  const std::function<void()> before_each_piece_;
  const std::vector<char> zeros_;

  std::mutex mutex_;
  std::condition_variable work_;
  std::deque<std::shared_ptr<WalTail>> pending_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;                         // GUARDED_BY(mutex_)
  std::thread thread_;                            // last: starts once the rest is built
};

namespace {

// A WAL file as RocksDB sees it: the target's file, with each append reserved first.
class PrezeroedWalFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  PrezeroedWalFile(std::unique_ptr<rocksdb::FSWritableFile> target, std::shared_ptr<WalTail> tail,
                   std::shared_ptr<PrezeroedWalFileSystem::Zeroer> zeroer)
      : FSWritableFileOwnerWrapper(std::move(target)),
        tail_(std::move(tail)),
        zeroer_(std::move(zeroer)) {}

  ~PrezeroedWalFile() override { StopZeroing(); }

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    Reserve(data.size());
    return target()->Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& verification_info,
                           rocksdb::IODebugContext* dbg) override {
    Reserve(data.size());
    return target()->Append(data, options, verification_info, dbg);
  }

  // RocksDB does not write its WAL at explicit offsets or truncate it while open; should a
  // version do so, the zeroing stops rather than guess where the end is.
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, std::uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    StopZeroing();
    return target()->PositionedAppend(data, offset, options, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, std::uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& verification_info,
                                     rocksdb::IODebugContext* dbg) override {
    StopZeroing();
    return target()->PositionedAppend(data, offset, options, verification_info, dbg);
  }
  rocksdb::IOStatus Truncate(std::uint64_t size, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
    StopZeroing();
    return target()->Truncate(size, options, dbg);
  }

  // Closes the file and cuts the zeros that are left after RocksDB's end.
  rocksdb::IOStatus Close(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    const std::uint64_t end = StopZeroing();
    const rocksdb::IOStatus s = target()->Close(options, dbg);
    return s.ok() ? CutZeros(end) : s;
  }

 private:
  // Reserved before the write: should the write fail, the zeros stay beyond the hole it
  // leaves, which RocksDB never fills (a failed WAL write stops the database's writes).
  void Reserve(std::size_t bytes) {
    bool wake = false;
    {
      std::unique_lock lock(tail_->mutex);
      const std::uint64_t end = tail_->appended + bytes;
      tail_->piece_done.wait(lock, [&] {
        return tail_->claim_begin == tail_->claim_end || end <= tail_->claim_begin;
      });
      tail_->appended = end;
      wake = zeroer_->QueueIfLow(*tail_);
    }
    if (wake) zeroer_->Wake(tail_);
  }

  // Ends the zeroing (waiting for a piece in flight) and returns RocksDB's end of the file.
  std::uint64_t StopZeroing() {
    std::unique_lock lock(tail_->mutex);
    tail_->stopped = true;
    tail_->piece_done.wait(lock, [&] { return tail_->claim_begin == tail_->claim_end; });
    return tail_->appended;
  }

  // RocksDB's own close usually cut them already (with the space it preallocated).
  rocksdb::IOStatus CutZeros(std::uint64_t end) const {
    struct stat st {};
    if (::fstat(tail_->fd, &st) == 0 && static_cast<std::uint64_t>(st.st_size) > end &&
        ::ftruncate(tail_->fd, static_cast<off_t>(end)) != 0) {
      return rocksdb::IOStatus::IOError("cutting the zeros after WAL " + tail_->path,
                                        std::strerror(errno));
    }
    return rocksdb::IOStatus::OK();
  }

  std::shared_ptr<WalTail> tail_;
  std::shared_ptr<PrezeroedWalFileSystem::Zeroer> zeroer_;  // kept alive by its files too
};

}  // namespace

PrezeroedWalFileSystem::PrezeroedWalFileSystem(const std::shared_ptr<rocksdb::FileSystem>& target,
                                               const WalZeroingLimits& limits,
                                               std::function<void()> before_each_piece)
    : FileSystemWrapper(target),
      zeroer_(std::make_shared<Zeroer>(limits, std::move(before_each_piece))) {}

PrezeroedWalFileSystem::~PrezeroedWalFileSystem() = default;

rocksdb::IOStatus PrezeroedWalFileSystem::NewWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  rocksdb::IOStatus s = target()->NewWritableFile(fname, options, result, dbg);
  if (!s.ok() || !IsWalFileName(fname) || options.use_direct_writes) return s;
  const int fd = ::open(fname.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {  // the WAL works as before, only without zeros ahead
    Logger().warn("no zeros ahead of WAL {}: {}", fname, std::strerror(errno));
    return s;
  }
  *result = std::make_unique<PrezeroedWalFile>(std::move(*result),
                                               std::make_shared<WalTail>(fname, fd), zeroer_);
  return s;
}

}  // namespace portico::eventstore
