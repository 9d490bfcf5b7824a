// The secondary instance's view of a WAL that the store keeps zeros ahead of (replay/
// wal_prefix.h), made deterministic: the store's own Db writes, a RocksDB secondary opened
// as LogDb opens it reads. Each event here is a raw key of the "events" family.
#include "replay/wal_prefix.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "eventstore/db.h"
#include "eventstore/keys.h"
#include "eventstore/store_testing.h"

namespace portico::replay {
namespace {

namespace fs = std::filesystem;
using eventstore::testing::TempDir;

constexpr std::size_t kValueBytes = 16 << 10;

void Write(const eventstore::Db& db, std::uint64_t from, std::uint64_t to) {
  rocksdb::WriteOptions sync;
  sync.sync = true;
  for (std::uint64_t p = from; p <= to; ++p) {
    const std::string value(kValueBytes, static_cast<char>('a' + p % 26));
    ASSERT_TRUE(db.db()->Put(sync, db.events(), eventstore::PositionKey(Position(p)), value).ok());
  }
}

std::uintmax_t NewestWalSize(const std::string& dir, fs::path* path = nullptr) {
  fs::path newest;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".log" && entry.path() > newest) newest = entry.path();
  }
  if (path != nullptr) *path = newest;
  return newest.empty() ? 0 : fs::file_size(newest);
}

// Writes 1..count and waits until the store's zeros lie ahead of the WAL's end.
void WriteUntilZerosAhead(const eventstore::Db& db, const std::string& dir, std::uint64_t count) {
  Write(db, 1, count);
  for (int i = 0; i < 400 && NewestWalSize(dir) < count * kValueBytes + (1 << 20); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_GE(NewestWalSize(dir), count * kValueBytes + (1 << 20)) << "no zeros ahead of the WAL";
}

struct Secondary {
  std::unique_ptr<rocksdb::Env> env;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;

  ~Secondary() {
    if (db == nullptr) return;
    for (auto* h : handles) (void)db->DestroyColumnFamilyHandle(h);
  }
};

// Opens `dir` as LogDb does beside a server.
rocksdb::Status OpenSecondary(const std::string& dir, const std::string& own_dir, Secondary& out) {
  rocksdb::DBOptions options;
  options.max_open_files = -1;
  out.env = rocksdb::NewCompositeEnv(NewWalPrefixFileSystem(rocksdb::FileSystem::Default()));
  options.env = out.env.get();
  std::vector<std::string> names;
  EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenAsSecondary(options, dir, own_dir, descriptors, &out.handles, &raw);
  if (s.ok()) out.db.reset(raw);
  return s;
}

// The positions the secondary holds, in order.
std::vector<std::uint64_t> Positions(const Secondary& secondary) {
  rocksdb::ColumnFamilyHandle* events = nullptr;
  for (auto* h : secondary.handles) {
    if (h->GetName() == eventstore::kEventsColumnFamily) events = h;
  }
  std::vector<std::uint64_t> out;
  std::unique_ptr<rocksdb::Iterator> it(secondary.db->NewIterator(rocksdb::ReadOptions(), events));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out.push_back(eventstore::DecodePosition({it->key().data(), it->key().size()})->value());
  }
  return out;
}

std::vector<std::uint64_t> Range(std::uint64_t to) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t p = 1; p <= to; ++p) out.push_back(p);
  return out;
}

// RocksDB's own reader takes the zeros for preallocated space, drops the rest of their block
// and reads on; what the server then writes over them was skipped, and the first record it
// wrote past them made a gap.
TEST(WalPrefixTest, ASecondaryCatchingUpOverTheZerosSkipsNothing) {
  TempDir dir;
  auto db = eventstore::Db::Open(dir.path(), /*read_only=*/false, /*zero_wal_ahead=*/true);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  WriteUntilZerosAhead(**db, dir.path(), 40);
  TempDir own;
  Secondary secondary;
  ASSERT_TRUE(OpenSecondary(dir.path(), own.path(), secondary).ok());
  EXPECT_EQ(Positions(secondary), Range(40));
  // Past the 4 MiB of zeros the secondary's reader had gone over.
  Write(**db, 41, 400);
  ASSERT_TRUE(secondary.db->TryCatchUpWithPrimary().ok());
  EXPECT_EQ(Positions(secondary), Range(400));
}

// A record half copied into the page cache when the secondary reads it: its tail is still
// zeros. RocksDB's reader failed the open on its checksum (Corruption); it is the end for now.
TEST(WalPrefixTest, ARecordStillBeingWrittenIsTheEndForNow) {
  TempDir dir;
  auto db = eventstore::Db::Open(dir.path(), /*read_only=*/false, /*zero_wal_ahead=*/true);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  WriteUntilZerosAhead(**db, dir.path(), 40);
  // A copy of the log, in which the last record loses its last 1,000 bytes to zeros.
  TempDir copy;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.path().filename() != "LOCK") fs::copy(entry.path(), fs::path(copy.path()) / entry.path().filename());
  }
  fs::path wal;
  NewestWalSize(copy.path(), &wal);
  std::string bytes;
  {
    std::ifstream in(wal, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::size_t end = bytes.find_last_not_of('\0') + 1;
  ASSERT_GT(end, 1000u);
  std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(end - 1000), bytes.begin() + static_cast<std::ptrdiff_t>(end),
            '\0');
  std::ofstream(wal, std::ios::binary | std::ios::trunc) << bytes;
  TempDir own;
  Secondary secondary;
  const rocksdb::Status s = OpenSecondary(copy.path(), own.path(), secondary);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Positions(secondary), Range(39));
}

}  // namespace
}  // namespace portico::replay
