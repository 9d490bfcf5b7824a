// EnvelopeRun: envelopes packed back to back, each 8-aligned, read back unchanged.
#include "schemas/envelope_run.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace portico::schemas {
namespace {

bool Aligned(std::string_view bytes) {
  return reinterpret_cast<std::uintptr_t>(bytes.data()) % 8 == 0;
}

TEST(EnvelopeRunTest, KeepsEachEnvelopeUnchangedAndAlignedAcrossChunksAndMoves) {
  std::vector<std::string> added;
  EnvelopeRun run;
  EXPECT_TRUE(run.empty());
  // Sizes around the 8-byte padding, empty ones, and enough bytes for many 64 KiB chunks.
  for (int i = 0; i < 3000; ++i) {
    std::string bytes(static_cast<std::size_t>(i % 13 == 0 ? 0 : 1 + (i * 37) % 700), '\0');
    for (std::size_t j = 0; j < bytes.size(); ++j) bytes[j] = static_cast<char>('a' + (i + j) % 26);
    run.Add(bytes);
    added.push_back(std::move(bytes));
  }
  const EnvelopeRun moved = std::move(run);
  ASSERT_EQ(moved.size(), added.size());
  for (std::size_t i = 0; i < added.size(); ++i) {
    EXPECT_EQ(moved[i], added[i]) << "envelope " << i;
    EXPECT_TRUE(Aligned(moved[i])) << "envelope " << i;
  }
}

TEST(EnvelopeRunTest, AnEnvelopeLargerThanAChunkFits) {
  const std::string big(200'000, 'x');
  EnvelopeRun run;
  run.Add("small");
  run.Add(big);
  run.Add("after");
  ASSERT_EQ(run.size(), 3u);
  EXPECT_EQ(run[0], "small");
  EXPECT_EQ(run[1], big);
  EXPECT_EQ(run[2], "after");
  EXPECT_TRUE(Aligned(run[1]));
  EXPECT_TRUE(Aligned(run[2]));
}

}  // namespace
}  // namespace portico::schemas
