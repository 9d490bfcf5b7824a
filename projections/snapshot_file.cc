#include "projections/snapshot_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include <sodium.h>

namespace portico::projections {
namespace {

constexpr std::string_view kMagic = "PTSNAP01";
constexpr std::size_t kChecksumSize = 16;

void PutU64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
void PutU32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool U64(std::uint64_t& v) {
    if (data_.size() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(data_[i]);
    data_.remove_prefix(8);
    return true;
  }
  bool U32(std::uint32_t& v) {
    if (data_.size() < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<std::uint8_t>(data_[i]);
    data_.remove_prefix(4);
    return true;
  }
  bool Bytes(std::uint64_t n, std::string& out) {
    if (data_.size() < n) return false;
    out.assign(data_.data(), n);
    data_.remove_prefix(n);
    return true;
  }
  bool empty() const { return data_.empty(); }

 private:
  std::string_view data_;
};

std::string Checksum(std::string_view data) {
  std::string out(kChecksumSize, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size(), nullptr, 0);
  return out;
}

Status Errno(const std::string& what, const std::string& path) {
  return Status::Internal(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

Status WriteSnapshotFile(const std::string& path, const SnapshotRecord& record) {
  std::string data(kMagic);
  PutU64(data, record.position.value());
  PutU32(data, static_cast<std::uint32_t>(record.name.size()));
  data += record.name;
  PutU64(data, record.blob.size());
  data += record.blob;
  data += Checksum(data);

  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("open", temp);
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const Status s = Errno("write", temp);
      ::close(fd);
      return s;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const Status s = Errno("fsync", temp);
    ::close(fd);
    return s;
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) return Errno("rename", temp);
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Errno("open", dir);
  const int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) return Errno("fsync", dir);
  return Status::Ok();
}

Result<std::optional<SnapshotRecord>> ReadSnapshotFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::optional<SnapshotRecord>();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Internal("cannot read snapshot " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string data = buffer.str();
  auto damaged = [&](const char* why) {
    return Status::Corruption("snapshot " + path + " is damaged: " + why);
  };
  if (data.size() < kMagic.size() + kChecksumSize || !std::string_view(data).starts_with(kMagic)) {
    return damaged("bad magic");
  }
  const std::string_view body(data.data(), data.size() - kChecksumSize);
  if (Checksum(body) != std::string_view(data).substr(body.size())) {
    return damaged("checksum mismatch");
  }
  Reader reader(body.substr(kMagic.size()));
  SnapshotRecord record;
  std::uint64_t position = 0;
  std::uint32_t name_len = 0;
  std::uint64_t blob_len = 0;
  if (!reader.U64(position) || !reader.U32(name_len) || !reader.Bytes(name_len, record.name) ||
      !reader.U64(blob_len) || !reader.Bytes(blob_len, record.blob) || !reader.empty()) {
    return damaged("bad lengths");
  }
  record.position = Position(position);
  return std::optional<SnapshotRecord>(std::move(record));
}

}  // namespace portico::projections
