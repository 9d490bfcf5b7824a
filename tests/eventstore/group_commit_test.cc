// The group-commit writer when the disk fails under a Write (group_commit.h): an append is
// never answered as stored unless its WAL file, name included, is durable, and a Write that
// fails after RocksDB may have written the batch is answered as outcome-unknown, never as a
// rejection.
#include "eventstore/group_commit.h"

#include <future>
#include <optional>

#include <gtest/gtest.h>

#include "eventstore/db.h"
#include "eventstore/file_system_testing.h"
#include "eventstore/log_reader.h"
#include "eventstore/rocksdb_event_store.h"
#include "eventstore/store_testing.h"

namespace portico::eventstore {
namespace {

using testing::FaultyFileSystem;
using testing::Notes;
using testing::NoteText;
using testing::TempDir;
using testing::TestOptions;

// What a caller tests (IsOutcomeUnknown) and what a person reads.
bool SaysOutcomeUnknown(const Status& status) {
  return IsOutcomeUnknown(status) &&
         status.message().find("may or may not be durable") != std::string::npos;
}

class GroupCommitFailureTest : public ::testing::Test {
 protected:
  Options StoreOptions() const {
    Options options = TestOptions(dir_.path());
    options.zero_wal_ahead = false;  // no background syncs next to the injected failures
    return options;
  }

  TempDir dir_;
  std::shared_ptr<FaultyFileSystem> fs_ = std::make_shared<FaultyFileSystem>();
};

TEST_F(GroupCommitFailureTest, AFailedWalSyncIsAnsweredAsOutcomeUnknownAndStopsAppends) {
  auto opened = RocksDbEventStore::Open(StoreOptions(), fs_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<EventStore> store = std::move(opened).value();
  ASSERT_TRUE(store->Append(StreamId("s"), ExpectedVersion::Any(), Notes("s", {"first"}), "").ok());

  fs_->fail_wal_syncs = true;
  const auto failed = store->Append(StreamId("s"), ExpectedVersion::Any(), Notes("s", {"unsure"}), "");
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(SaysOutcomeUnknown(failed.status())) << failed.status().ToString();

  fs_->fail_wal_syncs = false;
  const auto later = store->Append(StreamId("s"), ExpectedVersion::Any(), Notes("s", {"later"}), "");
  ASSERT_FALSE(later.ok()) << "took an append decided against a log without the unsure batch";
  EXPECT_EQ(later.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(later.status().message().find("restart to recover"), std::string::npos)
      << later.status().ToString();
  EXPECT_FALSE(IsOutcomeUnknown(later.status())) << "the later append was refused, not stored";
  EXPECT_EQ(store->Head(), Position(1)) << "reads go on, without the unsure batch";

  // Why it is no rejection: the batch reached the WAL file before the sync failed, and a
  // restart replays it.
  store.reset();
  auto reopened = EventStore::Open(TestOptions(dir_.path()));
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  auto events = (*reopened)->ReadAll(Position(1), 10);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_LE(events->size(), 2u);
  if (events->size() == 2) {
    EXPECT_EQ(NoteText(events->back()), "unsure");
  }
}

// The writer over a raw Db, so that the test can make RocksDB start a new WAL file.
class NewWalFileTest : public GroupCommitFailureTest {
 protected:
  void SetUp() override {
    auto db = Db::Open(dir_.path(), /*read_only=*/false, /*zero_wal_ahead=*/false, fs_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    reader_.emplace(*db_);
    writer_.emplace(*db_, *reader_, head_, LogTail{}, StoreOptions());
  }
  void TearDown() override {
    writer_.reset();
    reader_.reset();
    db_.reset();
  }

  Result<AppendResult> Append(const std::string& text) {
    std::promise<Result<AppendResult>> answered;
    AppendRequest request{StreamId("s"), ExpectedVersion::Any(), Notes("s", {text}), {}, {},
                          [&](Result<AppendResult> r) { answered.set_value(std::move(r)); },
                          std::nullopt, 0};
    (void)writer_->Submit(std::move(request));
    return answered.get_future().get();
  }

  // A memtable switch: RocksDB closes the WAL file and creates the next one, whose directory
  // entry is not durable until someone syncs the directory.
  void StartANewWalFile() {
    ASSERT_TRUE(db_->db()->Flush(rocksdb::FlushOptions(), db_->events()).ok());
  }

  std::unique_ptr<Db> db_;
  std::optional<LogReader> reader_;
  HeadState head_;
  std::optional<GroupCommitWriter> writer_;
};

TEST_F(NewWalFileTest, AppendsToANewWalFileWhoseDirectoryCannotBeSyncedAreNotAnsweredAsStored) {
  ASSERT_TRUE(Append("first").ok());
  StartANewWalFile();
  fs_->fail_directory_syncs = true;
  const auto failed = Append("second");
  ASSERT_FALSE(failed.ok()) << "answered while the new WAL file's name was not durable";
  EXPECT_TRUE(SaysOutcomeUnknown(failed.status())) << failed.status().ToString();
  EXPECT_EQ(head_.position(), Position(1));
}

}  // namespace
}  // namespace portico::eventstore
