#include "projections/snapshot_file.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include <sodium.h>

#include "common/durable_file.h"

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

}  // namespace

Status WriteSnapshotFile(const std::string& path, const SnapshotRecord& record) {
  std::string data(kMagic);
  PutU64(data, record.position.value());
  PutU32(data, static_cast<std::uint32_t>(record.name.size()));
  data += record.name;
  PutU64(data, record.blob.size());
  data += record.blob;
  data += Checksum(data);

  return ReplaceFileDurably(path, data);
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
