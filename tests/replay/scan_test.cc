// ScanLog over a log of many batches, where the reader thread and the caller share the
// preparation (verification, own hashes) of the events: every event is visited once, in
// order, prepared; and a damaged event is caught at its position wherever it falls.
#include <sodium.h>

#include "replay/chain_check.h"
#include "replay/scan.h"
#include "replay_testing.h"

namespace portico::replay {
namespace {

using testing::MemoryHistory;
using testing::MemoryLogDb;

class ScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    MemoryHistory history(11);
    history.Generate(3000);
    envelopes_ = history.envelopes();
    ASSERT_GT(envelopes_.size(), 2000u);
  }

  // Small batches, so that the scan runs through dozens of them, each of several chunks.
  static ScanOptions Options() {
    ScanOptions options;
    options.hash = true;
    options.batch_events = 150;
    return options;
  }

  // The first fault a ChainChecker finds over a scan of `envelopes`.
  static Status CheckChain(const std::vector<std::string>& envelopes) {
    const MemoryLogDb db(envelopes);
    ChainChecker chain;
    return ScanLog(db, Options(), [&](const EventBatch& batch) -> Status {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        RETURN_IF_ERROR(chain.Next(batch.position(i), batch.bytes(i), batch.envelope(i), &batch.computed_hash(i)));
      }
      return Status::Ok();
    });
  }

  std::vector<std::string> envelopes_;
};

TEST_F(ScanTest, EveryEventIsVisitedOnceInOrderVerifiedAndHashed) {
  const MemoryLogDb db(envelopes_);
  std::uint64_t next = 1;
  std::size_t batches = 0;
  const Status status = ScanLog(db, Options(), [&](const EventBatch& batch) -> Status {
    ++batches;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      EXPECT_EQ(batch.position(i), next);
      EXPECT_EQ(batch.bytes(i), envelopes_[next - 1]);
      const schema::Envelope* envelope = batch.envelope(i);
      if (envelope == nullptr) return Status::Internal("position " + std::to_string(next) + " was not prepared");
      EXPECT_EQ(envelope->position(), next);
      EXPECT_EQ(batch.computed_hash(i), schemas::ToHash(envelope->hash())) << "position " << next;
      ++next;
    }
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(next - 1, envelopes_.size());
  EXPECT_GT(batches, 10u);
}

TEST_F(ScanTest, AnIntactLogPassesTheChainCheck) {
  const Status status = CheckChain(envelopes_);
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST_F(ScanTest, AChangedByteAnywhereInALongScanIsFoundAtItsPosition) {
  // Early, mid-batch, at a batch boundary, and near the end of the log.
  for (const std::size_t position : {std::size_t{3}, std::size_t{777}, std::size_t{1201}, envelopes_.size() - 2}) {
    std::vector<std::string> damaged = envelopes_;
    std::string& bytes = damaged[position - 1];
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x20);
    const Status status = CheckChain(damaged);
    EXPECT_TRUE(status.IsCorruption()) << status.ToString();
    EXPECT_EQ(status.message().rfind("position " + std::to_string(position) + ":", 0), 0u) << status.ToString();
  }
}

TEST_F(ScanTest, AVisitorFailureStopsTheScanAndIsReturned) {
  const MemoryLogDb db(envelopes_);
  std::uint64_t visited = 0;
  const Status status = ScanLog(db, Options(), [&](const EventBatch& batch) -> Status {
    visited += batch.size();
    return visited >= 600 ? Status::Internal("enough") : Status::Ok();
  });
  EXPECT_EQ(status.message(), "enough");
  EXPECT_LT(visited, envelopes_.size());
}

}  // namespace
}  // namespace portico::replay
