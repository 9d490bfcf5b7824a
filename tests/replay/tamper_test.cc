// verify catches tampering done with RocksDB's own API (one byte changed, one event deleted,
// two events swapped, a stream version forged and re-hashed), names the position, and exits
// 1; --expect-head catches a log rewritten with a valid chain; exit codes for bad input.
#include <cstring>
#include <filesystem>
#include <fstream>

#include <rocksdb/db.h>

#include "eventstore/db.h"
#include "eventstore/keys.h"
#include "replay_testing.h"

namespace portico::replay {
namespace {

namespace json = boost::json;
using testing::Common;
using testing::RandomHistory;
using testing::TempDir;

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RandomHistory history(dir_.path(), 7);
    history.Generate(60);
    events_ = history.envelopes().size();
    history.Close();
    ASSERT_GT(events_, 20u);
  }

  json::object Verify(std::optional<std::string> expect_head = std::nullopt) {
    VerifyOptions options;
    options.common = Common(dir_.path());
    options.json = true;
    options.expect_head = std::move(expect_head);
    last_ = replay::testing::Run(&replay::Verify, options);
    return json::parse(last_.out).as_object();
  }

  // Runs `change` on the raw database of the log.
  template <typename F>
  void Tamper(F change) {
    auto db = eventstore::Db::Open(dir_.path() + "/log", false);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    change(**db);
  }

  static std::string Get(eventstore::Db& db, std::uint64_t position) {
    std::string value;
    EXPECT_TRUE(db.db()->Get(rocksdb::ReadOptions(), db.events(), eventstore::PositionKey(Position(position)), &value).ok());
    return value;
  }
  static void Put(eventstore::Db& db, std::uint64_t position, const std::string& value) {
    ASSERT_TRUE(db.db()->Put(rocksdb::WriteOptions(), db.events(), eventstore::PositionKey(Position(position)), value).ok());
  }

  void ExpectFaultAt(std::uint64_t position) {
    const json::object report = Verify();
    EXPECT_EQ(last_.exit_code, 1) << last_.out;
    EXPECT_FALSE(report.at("ok").as_bool());
    ASSERT_TRUE(report.contains("fault")) << last_.out;
    EXPECT_EQ(report.at("fault").at("position").to_number<std::uint64_t>(), position) << last_.out;
  }

  TempDir dir_;
  std::size_t events_ = 0;
  testing::CommandOutput last_;
};

TEST_F(TamperTest, IntactLogVerifiesAndPrintsTheHeadHash) {
  const json::object report = Verify();
  EXPECT_EQ(last_.exit_code, 0) << last_.err;
  EXPECT_TRUE(report.at("ok").as_bool());
  EXPECT_EQ(report.at("events_verified").to_number<std::uint64_t>(), events_);
  const std::string head = std::string(report.at("head_hash").as_string());
  EXPECT_EQ(head.size(), 64u);
  Verify(head);
  EXPECT_EQ(last_.exit_code, 0);
  Verify(std::to_string(events_ / 2) + ":" + std::string(64, '0'));
  EXPECT_EQ(last_.exit_code, 1);

  // The text report carries the head hash too.
  VerifyOptions text;
  text.common = Common(dir_.path());
  const auto out = replay::testing::Run(&replay::Verify, text);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_NE(out.out.find("head hash: " + head), std::string::npos) << out.out;
}

TEST_F(TamperTest, OneChangedByteIsFoundAtItsPosition) {
  for (std::size_t offset : {40u, 100u, 160u}) {
    SCOPED_TRACE("offset " + std::to_string(offset));
    TempDir copy;
    const std::uint64_t position = events_ / 2;
    std::string original;
    Tamper([&](eventstore::Db& db) {
      original = Get(db, position);
      std::string changed = original;
      changed[offset % changed.size()] ^= 0x01;
      Put(db, position, changed);
    });
    ExpectFaultAt(position);
    Tamper([&](eventstore::Db& db) { Put(db, position, original); });
    Verify();
    EXPECT_EQ(last_.exit_code, 0) << last_.out;
  }
}

TEST_F(TamperTest, ADeletedEventIsFoundAtItsPosition) {
  const std::uint64_t position = events_ / 3;
  Tamper([&](eventstore::Db& db) {
    ASSERT_TRUE(db.db()->Delete(rocksdb::WriteOptions(), db.events(), eventstore::PositionKey(Position(position))).ok());
  });
  ExpectFaultAt(position);
}

TEST_F(TamperTest, TheDeletedLastEventIsFound) {
  Tamper([&](eventstore::Db& db) {
    ASSERT_TRUE(db.db()->Delete(rocksdb::WriteOptions(), db.events(), eventstore::PositionKey(Position(events_))).ok());
  });
  ExpectFaultAt(events_);
}

TEST_F(TamperTest, SwappedEventsAreFoundAtTheFirstPosition) {
  const std::uint64_t a = events_ / 4, b = events_ / 2;
  Tamper([&](eventstore::Db& db) {
    const std::string va = Get(db, a), vb = Get(db, b);
    Put(db, a, vb);
    Put(db, b, va);
  });
  ExpectFaultAt(a);
}

TEST_F(TamperTest, AForgedStreamVersionIsFoundEvenWithValidHashes) {
  // Rewrite the last event with its stream version bumped, re-hashed, and the head record
  // updated to match: only the stream version check can see it.
  Tamper([&](eventstore::Db& db) {
    std::string bytes = Get(db, events_);
    const schema::Envelope* e = schema::GetEnvelope(bytes.data());
    schemas::StoreFields fields;
    std::memcpy(fields.event_id.data(), e->event_id()->bytes()->Data(), 16);
    fields.stream_version = e->stream_version() + 1;
    fields.position = e->position();
    fields.recorded_at_us = e->recorded_at_us();
    fields.prev_hash = schemas::ToHash(e->prev_hash());
    eventstore::HeadRecord head;
    head.position = Position(events_);
    head.hash = schemas::StampEnvelope(bytes, fields);
    Put(db, events_, bytes);
    ASSERT_TRUE(db.db()->Put(rocksdb::WriteOptions(), db.meta(), eventstore::kHeadKey, eventstore::EncodeHeadRecord(head)).ok());
  });
  ExpectFaultAt(events_);
  EXPECT_NE(last_.out.find("version"), std::string::npos) << last_.out;
}

TEST_F(TamperTest, FoldingCommandsStopAtTheFault) {
  const std::uint64_t position = events_ / 2;
  Tamper([&](eventstore::Db& db) {
    ASSERT_TRUE(db.db()->Delete(rocksdb::WriteOptions(), db.events(), eventstore::PositionKey(Position(position))).ok());
  });
  AsOfOptions options;
  options.common = Common(dir_.path());
  const auto out = replay::testing::Run(&AsOf, options);
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_NE(out.err.find("position " + std::to_string(position)), std::string::npos) << out.err;
  options.moment.position = position - 1;  // before the fault: still answers
  EXPECT_EQ(replay::testing::Run(&AsOf, options).exit_code, 0);
}

TEST(ReplayExitCodeTest, MissingOrForeignDirectoriesAndBadArguments) {
  TempDir dir;
  const auto run = [](std::vector<std::string> args) {
    std::ostringstream out, err;
    return Commands()[0].main(args, false, out, err);  // verify
  };
  EXPECT_EQ(run({"--data-dir", dir.path() + "/nowhere"}), 3);
  EXPECT_EQ(run({"--data-dir", dir.path()}), 3);  // no log in it
  std::filesystem::create_directories(dir.path() + "/log");
  EXPECT_EQ(run({"--data-dir", dir.path()}), 3);  // not a RocksDB database
  std::ofstream(dir.path() + "/log/CURRENT") << "MANIFEST-000099\n";
  EXPECT_EQ(run({"--data-dir", dir.path()}), 4);  // damaged: the manifest is gone
  EXPECT_EQ(run({}), 2);
  EXPECT_EQ(run({"--data-dir", dir.path(), "--bogus"}), 2);
  EXPECT_EQ(run({"--data-dir", dir.path(), "--open-mode", "sideways"}), 2);
  EXPECT_EQ(run({"--help"}), 0);

  std::ostringstream out, err;
  WhoCanOptions who;
  who.common = Common(dir.path());
  who.resource = "r1";
  who.capability = "no.such.capability";
  EXPECT_EQ(WhoCan(who, out, err), 2);
  EXPECT_EQ(Commands()[1].main({"--data-dir", dir.path(), "--at", "yesterday"}, false, out, err), 2);  // as-of
}

}  // namespace
}  // namespace portico::replay
