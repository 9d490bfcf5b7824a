#include "gateway/http/file_idempotency_store.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

#include "common/durable_file.h"
#include "common/log.h"

namespace portico::gateway {
namespace {

struct Record {
  std::string key;
  std::string fingerprint;
  StoredReply reply;
};

void PutU32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint32_t GetU32(std::string_view in) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  return v;
}

std::uint32_t Checksum(std::string_view payload) {
  unsigned char hash[crypto_generichash_BYTES_MIN];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(payload.data()),
                     payload.size(), nullptr, 0);
  return GetU32(std::string_view(reinterpret_cast<const char*>(hash), 4));
}

std::string Encode(const Record& record) {
  char status[4];  // three digits: "000" (StoredReply::kRunAgain) or an HTTP status
  std::snprintf(status, sizeof status, "%03u", record.reply.status % 1000);
  std::string payload;
  for (std::string_view field : {std::string_view(record.key), std::string_view(record.fingerprint),
                                 std::string_view(status), std::string_view(record.reply.content_type),
                                 std::string_view(record.reply.body)}) {
    PutU32(payload, static_cast<std::uint32_t>(field.size()));
    payload.append(field);
  }
  std::string out;
  PutU32(out, static_cast<std::uint32_t>(payload.size()));
  PutU32(out, Checksum(payload));
  return out + payload;
}

// The record at the front of `in` (advanced past it), or nothing when it is torn or damaged.
std::optional<Record> Decode(std::string_view& in) {
  if (in.size() < 8) return std::nullopt;
  const std::uint32_t size = GetU32(in);
  if (in.size() - 8 < size) return std::nullopt;
  std::string_view payload = in.substr(8, size);
  if (Checksum(payload) != GetU32(in.substr(4))) return std::nullopt;
  std::string fields[5];
  for (auto& field : fields) {
    if (payload.size() < 4) return std::nullopt;
    const std::uint32_t n = GetU32(payload);
    if (payload.size() - 4 < n) return std::nullopt;
    field.assign(payload.substr(4, n));
    payload.remove_prefix(4 + n);
  }
  unsigned status = 0;
  const std::string& digits = fields[2];
  if (!payload.empty() || digits.size() != 3 ||
      std::from_chars(digits.data(), digits.data() + 3, status).ptr != digits.data() + 3) {
    return std::nullopt;
  }
  in.remove_prefix(8 + size);
  Record record{std::move(fields[0]), std::move(fields[1]), {}};
  record.reply.status = status;
  record.reply.content_type = std::move(fields[3]);
  record.reply.body = std::move(fields[4]);
  return record;
}

Status ErrnoStatus(const std::string& what, const std::string& path) {
  return Status::Unavailable(what + " " + path + ": " + std::strerror(errno));
}

// Replaces `path` with exactly `records`, durably (common/durable_file.h).
Status Rewrite(const std::string& path, const std::deque<Record>& records) {
  std::string bytes;
  for (const auto& record : records) bytes += Encode(record);
  return ReplaceFileDurably(path, bytes, 0600);
}

}  // namespace

Result<std::unique_ptr<FileIdempotencyStore>> FileIdempotencyStore::Open(const std::string& path,
                                                                         std::size_t capacity) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    if (in) bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::deque<Record> records;  // the newest `capacity`, oldest first
  std::size_t total = 0;
  std::string_view rest(bytes);
  while (auto record = Decode(rest)) {
    ++total;
    records.push_back(std::move(*record));
    if (records.size() > capacity) records.pop_front();
  }
  if (!rest.empty()) {
    NamedLogger("gateway")->warn("idempotency store {}: {} damaged or torn byte(s) at the end dropped",
                                 path, rest.size());
  }
  if (!rest.empty() || total > 2 * capacity) RETURN_IF_ERROR(Rewrite(path, records));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("cannot open", path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const Status failed = ErrnoStatus("cannot stat", path);
    ::close(fd);
    return failed;
  }
  std::unique_ptr<FileIdempotencyStore> store(
      new FileIdempotencyStore(path, capacity, fd, static_cast<std::uint64_t>(st.st_size)));
  for (auto& record : records) {
    // A key completed twice in the file (only after a lost record) keeps its first reply.
    if (store->memory_.Begin(record.key, record.fingerprint).state != State::kNew) continue;
    store->memory_.Complete(record.key, std::move(record.reply));
    ++store->loaded_;
  }
  return store;
}

FileIdempotencyStore::FileIdempotencyStore(std::string path, std::size_t capacity, int fd,
                                           std::uint64_t file_size)
    : path_(std::move(path)), memory_(capacity), fd_(fd), file_size_(file_size) {}

FileIdempotencyStore::~FileIdempotencyStore() { ::close(fd_); }

IdempotencyStore::Claim FileIdempotencyStore::Begin(std::string_view key,
                                                    std::string_view fingerprint) {
  auto claim = memory_.Begin(key, fingerprint);
  if (claim.state == State::kNew) {
    std::lock_guard lock(mu_);
    in_flight_[std::string(key)] = std::string(fingerprint);
  }
  return claim;
}

void FileIdempotencyStore::Complete(std::string_view key, StoredReply reply) {
  std::string record;
  {
    std::lock_guard lock(mu_);
    auto it = in_flight_.find(std::string(key));
    if (it == in_flight_.end()) return;
    record = Encode(Record{std::string(key), std::move(it->second), reply});
    in_flight_.erase(it);
    // One write() per record under the lock: records never interleave.
    AppendLocked(record);
  }
  memory_.Complete(key, std::move(reply));
}

void FileIdempotencyStore::AppendLocked(std::string_view record) {
  if (stopped_appending_) return;
  const Status written = WriteAllToFile(fd_, record, path_);
  if (written.ok()) {
    file_size_ += record.size();
    return;
  }
  // A failed write (a full disk, say) may leave part of the record: cut it off, or Open()
  // would stop at it and lose every record appended after it.
  if (::ftruncate(fd_, static_cast<off_t>(file_size_)) == 0) {
    NamedLogger("gateway")->error("idempotency store {}: {}; this reply will not survive a restart", path_,
                                  written.ToString());
    return;
  }
  const int cut_error = errno;
  stopped_appending_ = true;
  NamedLogger("gateway")->error(
      "idempotency store {}: {}, and the part written cannot be cut off ({}); no reply completed from now on "
      "survives a restart",
      path_, written.ToString(), std::strerror(cut_error));
}

void FileIdempotencyStore::Abandon(std::string_view key) {
  {
    std::lock_guard lock(mu_);
    in_flight_.erase(std::string(key));
  }
  memory_.Abandon(key);
}

}  // namespace portico::gateway
