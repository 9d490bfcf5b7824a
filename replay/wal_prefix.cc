#include "replay/wal_prefix.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/crc.hpp>

#include "eventstore/wal_sync_watch.h"

namespace portico::replay {
namespace {

// RocksDB's log format (db/log_format.h): blocks of kBlockSize bytes, each a run of records
// "masked CRC (4) | length (2, little-endian) | type (1) [| log number (4)] | payload", the
// log number only in the recyclable types. Fewer than a header's bytes left at the end of a
// block are a zero-filled trailer. Type 0 is never written: it is preallocated space.
constexpr std::uint64_t kBlockSize = 32768;
constexpr std::size_t kHeaderSize = 7;
constexpr std::size_t kRecyclableHeaderSize = 11;
constexpr std::uint8_t kZeroType = 0;
constexpr std::uint8_t kFirstRecyclableType = 5;
constexpr std::uint8_t kLastRecyclableType = 8;
constexpr std::uint32_t kCrcMaskDelta = 0xa282ead8u;  // util/crc32c.h

std::uint32_t Crc32c(const char* data, std::size_t size) {
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc;
  crc.process_bytes(data, size);
  return crc.checksum();
}

std::uint32_t UnmaskCrc(std::uint32_t masked) {
  const std::uint32_t rotated = masked - kCrcMaskDelta;
  return (rotated >> 17) | (rotated << 15);
}

std::uint32_t DecodeFixed32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return std::uint32_t{u[0]} | (std::uint32_t{u[1]} << 8) | (std::uint32_t{u[2]} << 16) |
         (std::uint32_t{u[3]} << 24);
}

// The end (in the block) of the whole, intact record at `at` in `block`; nullopt when the
// bytes there are zeros, a record not all written yet, or a damaged one.
std::optional<std::size_t> IntactRecordEnd(std::string_view block, std::size_t at) {
  if (block.size() < at + kHeaderSize) return std::nullopt;
  const char* header = block.data() + at;
  const auto type = static_cast<std::uint8_t>(header[6]);
  if (type == kZeroType) return std::nullopt;
  const std::size_t length =
      std::size_t{static_cast<unsigned char>(header[4])} | (std::size_t{static_cast<unsigned char>(header[5])} << 8);
  const std::size_t header_size =
      type >= kFirstRecyclableType && type <= kLastRecyclableType ? kRecyclableHeaderSize : kHeaderSize;
  const std::size_t end = at + header_size + length;
  if (end > block.size()) return std::nullopt;
  // The CRC covers the type, the log number if any, and the payload.
  if (UnmaskCrc(DecodeFixed32(header)) != Crc32c(header + 6, end - at - 6)) return std::nullopt;
  return end;
}

// A WAL file read sequentially, up to the end of its last whole, intact record.
class WalPrefixFile final : public rocksdb::FSSequentialFile {
 public:
  explicit WalPrefixFile(std::unique_ptr<rocksdb::FSRandomAccessFile> file) : file_(std::move(file)) {}

  rocksdb::IOStatus Read(std::size_t n, const rocksdb::IOOptions& options, rocksdb::Slice* result, char* scratch,
                         rocksdb::IODebugContext* dbg) override {
    if (offset_ + n > intact_end_) {
      const rocksdb::IOStatus s = ExtendIntactEnd(offset_ + n, options, dbg);
      if (!s.ok()) return s;
    }
    const std::size_t available = intact_end_ > offset_ ? std::min<std::uint64_t>(n, intact_end_ - offset_) : 0;
    if (available == 0) {
      *result = rocksdb::Slice(scratch, 0);
      return rocksdb::IOStatus::OK();
    }
    const rocksdb::IOStatus s = file_->Read(offset_, available, options, result, scratch, dbg);
    if (s.ok()) offset_ += result->size();
    return s;
  }

  rocksdb::IOStatus Skip(std::uint64_t n) override {
    offset_ += n;
    return rocksdb::IOStatus::OK();
  }

 private:
  // Moves intact_end_ record by record until it reaches `wanted` or the end for now.
  rocksdb::IOStatus ExtendIntactEnd(std::uint64_t wanted, const rocksdb::IOOptions& options,
                                    rocksdb::IODebugContext* dbg) {
    while (intact_end_ < wanted) {
      std::optional<std::uint64_t> next;
      const rocksdb::IOStatus s = NextRecordEnd(intact_end_, options, dbg, &next);
      if (!s.ok()) return s;
      if (!next) break;
      intact_end_ = *next;
    }
    return rocksdb::IOStatus::OK();
  }

  // The end in the file of the intact record that starts at `at` (past the block's trailer
  // when one is left there); nullopt when there is none yet. A record not found in the block
  // as read before is looked for again in the block read afresh: the server writes on.
  rocksdb::IOStatus NextRecordEnd(std::uint64_t at, const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg,
                                  std::optional<std::uint64_t>* end) {
    if (kBlockSize - at % kBlockSize < kHeaderSize) at += kBlockSize - at % kBlockSize;
    const std::uint64_t block_start = at - at % kBlockSize;
    const auto in_block = static_cast<std::size_t>(at - block_start);
    std::optional<std::size_t> found;
    if (block_start_ == block_start) found = IntactRecordEnd(block_, in_block);
    if (!found) {
      const rocksdb::IOStatus s = ReadBlock(block_start, options, dbg);
      if (!s.ok()) return s;
      found = IntactRecordEnd(block_, in_block);
    }
    *end = found ? std::optional<std::uint64_t>(block_start + *found) : std::nullopt;
    return rocksdb::IOStatus::OK();
  }

  rocksdb::IOStatus ReadBlock(std::uint64_t block_start, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) {
    scratch_.resize(kBlockSize);
    rocksdb::Slice read;
    const rocksdb::IOStatus s = file_->Read(block_start, kBlockSize, options, &read, scratch_.data(), dbg);
    if (!s.ok()) return s;
    block_.assign(read.data(), read.size());
    block_start_ = block_start;
    return s;
  }

  const std::unique_ptr<rocksdb::FSRandomAccessFile> file_;
  std::uint64_t offset_ = 0;      // the next byte Read hands out
  std::uint64_t intact_end_ = 0;  // the end of the intact records found so far
  std::uint64_t block_start_ = ~std::uint64_t{0};  // where block_ was read from
  std::string block_;
  std::string scratch_;
};

class WalPrefixFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit WalPrefixFileSystem(std::shared_ptr<rocksdb::FileSystem> target) : FileSystemWrapper(std::move(target)) {}

  const char* Name() const override { return "WalPrefixFileSystem"; }

  rocksdb::IOStatus NewSequentialFile(const std::string& fname, const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSSequentialFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
    if (!eventstore::IsWalFileName(fname)) return target()->NewSequentialFile(fname, options, result, dbg);
    std::unique_ptr<rocksdb::FSRandomAccessFile> file;
    const rocksdb::IOStatus s = target()->NewRandomAccessFile(fname, options, &file, dbg);
    if (s.ok()) *result = std::make_unique<WalPrefixFile>(std::move(file));
    return s;
  }
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> NewWalPrefixFileSystem(std::shared_ptr<rocksdb::FileSystem> target) {
  return std::make_shared<WalPrefixFileSystem>(std::move(target));
}

}  // namespace portico::replay
