// What the crash-test child (crash_child.cc) appends and how it reports acknowledgements to
// its parent (crash_test.cc).
//
// Each append puts 2 or 3 events on one of the child's streams. Some appends are parts of an
// atomic append across several streams (EventStore::AppendAtomicallyAsync): part j of m.
// Event i of an append of n events starting at stream version v carries the note text
// "s=<stream> v=<v> i=<i> n=<n> g=<j>/<m>" (g=0/1 for a plain append), and the append uses
// the idempotency key "<stream>@<v>". Once an append is acknowledged, the child writes one
// line per append (all the parts' lines of an atomic append in one write(2)) to stdout, a
// pipe:
//   "ack <stream> <v> <n> <first position> <last position> <j> <m>\n"
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
  std::uint64_t part = 0;   // of an atomic append: this append is part `part` of `parts`
  std::uint64_t parts = 1;
};

// The note text of the append's event `index`.
inline std::string CrashEventText(const CrashAppend& a, std::uint64_t index) {
  return "s=" + a.stream + " v=" + std::to_string(a.first_version) + " i=" + std::to_string(index) +
         " n=" + std::to_string(a.count) + " g=" + std::to_string(a.part) + "/" +
         std::to_string(a.parts);
}

inline std::string CrashIdempotencyKey(const std::string& stream, std::uint64_t first_version) {
  return stream + "@" + std::to_string(first_version);
}

inline std::string CrashAckLine(const CrashAppend& a) {
  return "ack " + a.stream + " " + std::to_string(a.first_version) + " " + std::to_string(a.count) +
         " " + std::to_string(a.first_position) + " " + std::to_string(a.last_position) + " " +
         std::to_string(a.part) + " " + std::to_string(a.parts) + "\n";
}

inline std::optional<CrashAppend> ParseCrashAck(const std::string& line) {
  std::istringstream in(line);
  std::string tag;
  CrashAppend a;
  if (!(in >> tag >> a.stream >> a.first_version >> a.count >> a.first_position >>
        a.last_position >> a.part >> a.parts) ||
      tag != "ack") {
    return std::nullopt;
  }
  return a;
}

// Parses an event's note text back into (stream, first_version, count, part, parts) and its
// index.
inline std::optional<std::pair<CrashAppend, std::uint64_t>> ParseCrashEventText(
    const std::string& text) {
  std::istringstream in(text);
  std::string s, v, i, n, g;
  if (!(in >> s >> v >> i >> n >> g) || s.rfind("s=", 0) != 0 || v.rfind("v=", 0) != 0 ||
      i.rfind("i=", 0) != 0 || n.rfind("n=", 0) != 0 || g.rfind("g=", 0) != 0 ||
      g.find('/') == std::string::npos) {
    return std::nullopt;
  }
  CrashAppend a;
  a.stream = s.substr(2);
  a.first_version = std::stoull(v.substr(2));
  a.count = std::stoull(n.substr(2));
  a.part = std::stoull(g.substr(2, g.find('/') - 2));
  a.parts = std::stoull(g.substr(g.find('/') + 1));
  return std::make_pair(a, std::stoull(i.substr(2)));
}

}  // namespace portico::eventstore::testing
