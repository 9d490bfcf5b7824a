// What the crash-test child (crash_child.cc) appends and how it reports acknowledgements to
// its parent (crash_test.cc).
//
// Each append puts 2 or 3 events on one of the child's streams. Event i of an append of n
// events starting at stream version v carries the note text "s=<stream> v=<v> i=<i> n=<n>",
// and the append uses the idempotency key "<stream>@<v>". After Append returns OK, the child
// writes one line to stdout (a pipe) with a single write(2):
//   "ack <stream> <v> <n> <first position> <last position>\n"
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string>

namespace portico::eventstore::testing {

struct CrashAppend {
  std::string stream;
  std::uint64_t first_version = 0;
  std::uint64_t count = 0;
  std::uint64_t first_position = 0;  // in acks only
  std::uint64_t last_position = 0;
};

inline std::string CrashEventText(const std::string& stream, std::uint64_t first_version,
                                  std::uint64_t index, std::uint64_t count) {
  return "s=" + stream + " v=" + std::to_string(first_version) + " i=" + std::to_string(index) +
         " n=" + std::to_string(count);
}

inline std::string CrashIdempotencyKey(const std::string& stream, std::uint64_t first_version) {
  return stream + "@" + std::to_string(first_version);
}

inline std::string CrashAckLine(const CrashAppend& a) {
  return "ack " + a.stream + " " + std::to_string(a.first_version) + " " + std::to_string(a.count) +
         " " + std::to_string(a.first_position) + " " + std::to_string(a.last_position) + "\n";
}

inline std::optional<CrashAppend> ParseCrashAck(const std::string& line) {
  std::istringstream in(line);
  std::string tag;
  CrashAppend a;
  if (!(in >> tag >> a.stream >> a.first_version >> a.count >> a.first_position >>
        a.last_position) ||
      tag != "ack") {
    return std::nullopt;
  }
  return a;
}

// Parses an event's note text back into (stream, first_version, count) and its index.
inline std::optional<std::pair<CrashAppend, std::uint64_t>> ParseCrashEventText(
    const std::string& text) {
  std::istringstream in(text);
  std::string s, v, i, n;
  if (!(in >> s >> v >> i >> n) || s.rfind("s=", 0) != 0 || v.rfind("v=", 0) != 0 ||
      i.rfind("i=", 0) != 0 || n.rfind("n=", 0) != 0) {
    return std::nullopt;
  }
  CrashAppend a;
  a.stream = s.substr(2);
  a.first_version = std::stoull(v.substr(2));
  a.count = std::stoull(n.substr(2));
  return std::make_pair(a, std::stoull(i.substr(2)));
}

}  // namespace portico::eventstore::testing
