#include "common/hex.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace portico {
namespace {

TEST(HexEncodeTest, EveryByteBecomesTwoLowerCaseDigitsInOrder) {
  const std::uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff, 0x10};
  EXPECT_EQ(HexEncode(bytes, sizeof bytes), "000fa5ff10");
}

TEST(HexEncodeTest, StringBytesAreTakenAsUnsigned) {
  EXPECT_EQ(HexEncode(std::string("\x80\x7f", 2)), "807f");
  EXPECT_EQ(HexEncode(std::string_view()), "");
}

}  // namespace
}  // namespace portico
