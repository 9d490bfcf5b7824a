// Lower-case hex of raw bytes: hashes in logs, audit output, `verify`, token and key hashes.
// The one encoder of the project (a Hash, any std::array of bytes, converts to the span).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace portico {

std::string HexEncode(std::span<const std::uint8_t> bytes);

inline std::string HexEncode(const std::uint8_t* data, std::size_t size) {
  return HexEncode(std::span<const std::uint8_t>(data, size));
}

inline std::string HexEncode(std::string_view bytes) {
  return HexEncode(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace portico
