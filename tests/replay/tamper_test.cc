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

// The last events deleted, the head record left alone: every folding command that answers at
// the end of what is stored must see that the head record names a later position.
TEST_F(TamperTest, FoldingCommandsRefuseATruncatedLogAtTheHead) {
  AsOfOptions as_of;
  as_of.common = Common(dir_.path());
  WhoCanOptions who_can;
  who_can.common = Common(dir_.path());
  who_can.resource = "res1";
  WhatCanOptions what_can;
  what_can.common = Common(dir_.path());
  what_can.user = "user1";
  TimelineOptions timeline;
  timeline.common = Common(dir_.path());
  timeline.id = "user1";
  ExportOptions exported;
  exported.common = Common(dir_.path());
  DiffOptions diff;
  diff.common = Common(dir_.path());
  diff.from.position = 1;
  const auto run_all = [&] {
    return std::vector<std::pair<std::string, testing::CommandOutput>>{
        {"as-of", replay::testing::Run(&AsOf, as_of)},
        {"who-can", replay::testing::Run(&WhoCan, who_can)},
        {"what-can", replay::testing::Run(&WhatCan, what_can)},
        {"timeline", replay::testing::Run(&Timeline, timeline)},
        {"export", replay::testing::Run(&Export, exported)},
        {"diff", replay::testing::Run(&Diff, diff)}};
  };
  for (const auto& [command, result] : run_all()) {
    EXPECT_EQ(result.exit_code, 0) << command << " on the intact log: " << result.err;
  }

  const std::uint64_t cut = events_ - 2;  // positions cut..events_ deleted
  Tamper([&](eventstore::Db& db) {
    for (std::uint64_t p = cut; p <= events_; ++p) {
      ASSERT_TRUE(db.db()->Delete(rocksdb::WriteOptions(), db.events(), eventstore::PositionKey(Position(p))).ok());
    }
  });
  const std::string expected = "position " + std::to_string(cut) +
                               ": missing (the head record says the log ends at position " +
                               std::to_string(events_) + ")";
  for (const auto& [command, result] : run_all()) {
    EXPECT_EQ(result.exit_code, 1) << command << " printed: " << result.out;
    EXPECT_NE(result.err.find(expected), std::string::npos) << command << ": " << result.err;
  }

  // A time after the last stored event resolves to it: the same fault. A position the head
  // record names but the log no longer stores is that fault too, not a bad argument.
  as_of.moment.at_us = testing::NowUs() + 1'000'000;
  EXPECT_EQ(replay::testing::Run(&AsOf, as_of).exit_code, 1);
  as_of.moment = MomentSpec{std::nullopt, events_};
  const auto beyond = replay::testing::Run(&AsOf, as_of);
  EXPECT_EQ(beyond.exit_code, 1);
  EXPECT_NE(beyond.err.find(expected), std::string::npos) << beyond.err;
  as_of.moment = MomentSpec{std::nullopt, events_ + 1};  // beyond the head record as well
  EXPECT_EQ(replay::testing::Run(&AsOf, as_of).exit_code, 2);
  // Before the cut the chain checks cover every event folded: still answers.
  as_of.moment = MomentSpec{std::nullopt, cut - 2};
  EXPECT_EQ(replay::testing::Run(&AsOf, as_of).exit_code, 0);
  timeline.range.to_position = cut - 2;
  EXPECT_EQ(replay::testing::Run(&Timeline, timeline).exit_code, 0);
}

TEST_F(TamperTest, AHeadRecordWithAnotherHashFailsTheAnswerAtTheHead) {
  Tamper([&](eventstore::Db& db) {
    eventstore::HeadRecord head;
    head.position = Position(events_);
    head.hash.fill(0xab);
    ASSERT_TRUE(db.db()->Put(rocksdb::WriteOptions(), db.meta(), eventstore::kHeadKey, eventstore::EncodeHeadRecord(head)).ok());
  });
  AsOfOptions options;
  options.common = Common(dir_.path());
  const auto out = replay::testing::Run(&AsOf, options);
  EXPECT_EQ(out.exit_code, 1) << out.out;
  EXPECT_NE(out.err.find("position " + std::to_string(events_) + ": hash differs from the one the head record holds"),
            std::string::npos)
      << out.err;
}

// The help must not promise more than the folding commands check: the hash recompute is
// verify's, rebuild's and as-of --verify's alone, and the head record is checked at the end.
TEST(ReplayUsageTest, SaysWhichCommandsRecomputeHashes) {
  const std::string usage = Usage();
  EXPECT_NE(usage.find("Only verify, rebuild and as-of --verify recompute"), std::string::npos) << usage;
  EXPECT_NE(usage.find("head record"), std::string::npos) << usage;
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
  // A '-' anywhere but first is not a time (it once parsed as a garbage number of microseconds).
  EXPECT_EQ(Commands()[1].main({"--data-dir", dir.path(), "--at", "1-2"}, false, out, err), 2);  // as-of
  EXPECT_EQ(Commands()[4].main({"--data-dir", dir.path(), "--user", "u", "--from", "12-"}, false, out, err),
            2);  // timeline
}

TEST(ReplayExitCodeTest, AnExpectedHeadPositionBeyond64BitsIsABadArgument) {
  TempDir dir;
  VerifyOptions options;
  options.common = Common(dir.path());
  options.expect_head = "99999999999999999999:" + std::string(64, 'a');
  const auto out = replay::testing::Run(&Verify, options);
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_NE(out.err.find("'99999999999999999999' is out of range"), std::string::npos) << out.err;
}

}  // namespace
}  // namespace portico::replay
