// Events flushed from the memtable into a table file: compressed with LZ4 (eventstore/db.cc)
// and read back by every read, as before the flush.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/table_properties.h>

#include "eventstore/db.h"
#include "eventstore/event_store.h"
#include "eventstore/store_testing.h"

namespace portico::eventstore {
namespace {

using testing::Notes;
using testing::NoteText;
using testing::TempDir;
using testing::TestOptions;

TEST(TablesTest, FlushedEventsAreLz4CompressedAndReadBack) {
  TempDir dir;
  constexpr int kEvents = 300;
  {
    auto store = EventStore::Open(TestOptions(dir.path()));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (int i = 1; i <= kEvents; ++i) {
      const std::string stream = "s" + std::to_string(i % 7);
      ASSERT_TRUE((*store)->Append(StreamId(stream), ExpectedVersion::Any(),
                                   Notes(stream, {"event " + std::to_string(i)})).ok());
    }
  }
  {
    auto db = Db::Open(dir.path(), /*read_only=*/false);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->db()->Flush(rocksdb::FlushOptions(), (*db)->events()).ok());
    rocksdb::TablePropertiesCollection tables;
    ASSERT_TRUE((*db)->db()->GetPropertiesOfAllTables((*db)->events(), &tables).ok());
    ASSERT_FALSE(tables.empty());
    for (const auto& [file, properties] : tables) EXPECT_EQ(properties->compression_name, "LZ4") << file;
  }
  auto store = EventStore::Open(TestOptions(dir.path()));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto all = (*store)->ReadAll(Position(1), 1000);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), static_cast<std::size_t>(kEvents));
  for (int i = 1; i <= kEvents; ++i) EXPECT_EQ(NoteText((*all)[i - 1]), "event " + std::to_string(i));
  auto run = (*store)->ReadRun(Position(1), 1000);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->size(), static_cast<std::size_t>(kEvents));
  EXPECT_TRUE((*store)->VerifyRange(Position(0), Position(0)).ok());
}

}  // namespace
}  // namespace portico::eventstore
