// Strong types for identifiers and positions, so a Position is never passed where a
// StreamVersion is meant. StrongType<Tag, Rep> wraps a value; compare, hash and print it.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

namespace portico {

template <typename Tag, typename Rep>
class StrongType {
 public:
  using rep_type = Rep;
  constexpr StrongType() = default;
  constexpr explicit StrongType(Rep v) : v_(std::move(v)) {}
  constexpr const Rep& value() const { return v_; }
  constexpr auto operator<=>(const StrongType&) const = default;

 private:
  Rep v_{};
};

// The global position of an event in the log: 1 for the first event, gapless.
// Position(0) means "before the first event".
using Position = StrongType<struct PositionTag, std::uint64_t>;
// The version of a stream: its first event has version 1; 0 means the stream has no events.
using StreamVersion = StrongType<struct StreamVersionTag, std::uint64_t>;
// A stream's name, such as "user:u1" or "org:acme".
using StreamId = StrongType<struct StreamIdTag, std::string>;

}  // namespace portico

template <typename Tag, typename Rep>
struct std::hash<portico::StrongType<Tag, Rep>> {
  std::size_t operator()(const portico::StrongType<Tag, Rep>& v) const noexcept {
    return std::hash<Rep>{}(v.value());
  }
};
