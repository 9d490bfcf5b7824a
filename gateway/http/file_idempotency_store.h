// FileIdempotencyStore: an IdempotencyStore (idempotency.h) whose completed replies survive a
// restart, kept in one append-only file (by default <data dir>/idempotency.log).
//
// It is an InMemoryIdempotencyStore plus that file: Complete() appends one record (key,
// request fingerprint, status, content type, body) with a single write() and no fsync, so no
// I/O thread waits on the disk; Open() reads the records back. A reply therefore survives a
// crash or restart of the process; after a power loss the last replies may be gone, and a
// retry then reaches the event store, whose durable idempotency keys refuse to append the
// command twice (422 instead of the first reply).
//
// Record: u32 payload size, u32 checksum (first 4 bytes of BLAKE2b of the payload), payload =
// the five fields, each a u32 size then its bytes (status as 3 ASCII digits, "000" for
// StoredReply::kRunAgain). Open() stops at the first torn or damaged record and truncates the
// file there; so that only a crash can leave one (at the end), a write that fails midway (a
// full disk) is cut off at once, and if that fails too no more records are appended. It keeps
// the newest `capacity` replies and rewrites the file (temporary file, fsync, rename) when it
// holds more than twice that many records. Between starts the file grows by one record per
// completed request.
//
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "gateway/http/idempotency.h"

namespace portico::gateway {

inline constexpr std::string_view kIdempotencyFileName = "idempotency.log";

class FileIdempotencyStore final : public IdempotencyStore {
 public:
  static Result<std::unique_ptr<FileIdempotencyStore>> Open(const std::string& path,
                                                            std::size_t capacity = 100'000);
  ~FileIdempotencyStore() override;
  FileIdempotencyStore(const FileIdempotencyStore&) = delete;
  FileIdempotencyStore& operator=(const FileIdempotencyStore&) = delete;

  Claim Begin(std::string_view key, std::string_view fingerprint) override;
  void Complete(std::string_view key, StoredReply reply) override;
  void Abandon(std::string_view key) override;

  // Replies read back at Open().
  std::size_t loaded() const { return loaded_; }

 private:
  FileIdempotencyStore(std::string path, std::size_t capacity, int fd, std::uint64_t file_size);
  // Appends one encoded record; on a failed write, cuts the file back to its last whole record.
  void AppendLocked(std::string_view record);

  const std::string path_;
  InMemoryIdempotencyStore memory_;
  int fd_;
  std::size_t loaded_ = 0;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> in_flight_;  // key -> fingerprint; GUARDED_BY(mu_)
  std::uint64_t file_size_;          // GUARDED_BY(mu_): the end of the last whole record
  bool stopped_appending_ = false;   // GUARDED_BY(mu_): a torn record could not be cut off
};

}  // namespace portico::gateway
