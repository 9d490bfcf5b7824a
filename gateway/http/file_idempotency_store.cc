#include "gateway/http/file_idempotency_store.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

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
  const std::string status = std::to_string(record.reply.status);
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
  if (!payload.empty() || fields[2].size() != 3) return std::nullopt;
  in.remove_prefix(8 + size);
  Record record{std::move(fields[0]), std::move(fields[1]), {}};
  record.reply.status = static_cast<unsigned>(std::stoul(fields[2]));
  record.reply.content_type = std::move(fields[3]);
  record.reply.body = std::move(fields[4]);
  return record;
}

Status ErrnoStatus(const std::string& what, const std::string& path) {
  return Status::Unavailable(what + " " + path + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::Unavailable(std::string("write: ") + std::strerror(errno));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

// Replaces `path` with exactly `records` (temporary file, fsync, rename).
Status Rewrite(const std::string& path, const std::deque<Record>& records) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("cannot create", tmp);
  std::string bytes;
  for (const auto& record : records) bytes += Encode(record);
  Status written = WriteAll(fd, bytes);
  if (written.ok() && ::fsync(fd) != 0) written = ErrnoStatus("cannot fsync", tmp);
  ::close(fd);
  if (written.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    written = ErrnoStatus("cannot rename onto", path);
  }
  return written;
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
  std::unique_ptr<FileIdempotencyStore> store(new FileIdempotencyStore(path, capacity, fd));
  for (auto& record : records) {
    // A key completed twice in the file (only after a lost record) keeps its first reply.
    if (store->memory_.Begin(record.key, record.fingerprint).state != State::kNew) continue;
    store->memory_.Complete(record.key, std::move(record.reply));
    ++store->loaded_;
  }
  return store;
}

FileIdempotencyStore::FileIdempotencyStore(std::string path, std::size_t capacity, int fd)
    : path_(std::move(path)), memory_(capacity), fd_(fd) {}

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
    if (Status written = WriteAll(fd_, record); !written.ok()) {
      NamedLogger("gateway")->error("idempotency store {}: {}; this reply will not survive a restart",
                                    path_, written.ToString());
    }
  }
  memory_.Complete(key, std::move(reply));
}

void FileIdempotencyStore::Abandon(std::string_view key) {
  {
    std::lock_guard lock(mu_);
    in_flight_.erase(std::string(key));
  }
  memory_.Abandon(key);
}

}  // namespace portico::gateway
