// The commands of portico-replay, each in its own file (verify.cc, as_of.cc, ...). Each has
// an options struct and a function that runs it, writing its answer to `out` and its
// messages (errors, progress) to `err`, and returning the process exit code (exit_codes.h).
// Tests call them in-process; the executable (main.cc) reaches them through Commands(),
// whose entries parse the command line first.
//
// Every command reads DATA_DIR/log directly (log_db.h), never writes to it, and checks each
// event it folds (chain_check.h). Answers are JSON documents (pretty unless --compact), except
// verify (text, or JSON with --json) and export/timeline (one record per line).
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "domain/state.h"
#include "replay/log_db.h"
#include "replay/moment.h"
#include "replay/progress.h"
#include "schemas/envelope.h"

namespace portico::replay {

struct CommonOptions {
  std::string data_dir;                 // --data-dir: the log is DATA_DIR/log
  OpenMode open_mode = OpenMode::kAuto;  // --open-mode
  ProgressMode progress = ProgressMode::kAuto;  // --progress
  bool terminal = false;                // whether `err` is a terminal (progress bar)
  bool pretty = true;                   // false with --compact
};

// verify: the whole chain, every envelope, positions and stream versions. With expect_head
// ("HASH" of the head, or "POSITION:HASH" for a log that may have grown since) a mismatch is
// a fault too.
struct VerifyOptions {
  CommonOptions common;
  std::optional<std::string> expect_head;
  bool json = false;
};
int Verify(const VerifyOptions& options, std::ostream& out, std::ostream& err);

// as-of: the full access state at a moment.
struct AsOfOptions {
  CommonOptions common;
  MomentSpec moment;
  bool verify_hashes = false;  // --verify: also recompute each folded event's hash
};
int AsOf(const AsOfOptions& options, std::ostream& out, std::ostream& err);

// who-can: every user who could see or act on a resource at a moment, with the reason.
struct WhoCanOptions {
  CommonOptions common;
  std::string resource;
  std::optional<std::string> capability;
  MomentSpec moment;
  bool include_denied = false;  // --include-denied: also every user denied, and why
};
int WhoCan(const WhoCanOptions& options, std::ostream& out, std::ostream& err);

// what-can: everything a user could see or do at a moment.
struct WhatCanOptions {
  CommonOptions common;
  std::string user;
  MomentSpec moment;
};
int WhatCan(const WhatCanOptions& options, std::ostream& out, std::ostream& err);

// A range of the log for timeline and export: times (recorded_at, inclusive) and/or positions.
struct RangeSpec {
  std::optional<std::int64_t> from_us, to_us;
  std::optional<std::uint64_t> from_position, to_position;
};

// timeline: every change that affected the access of a user, an organisation or a resource.
struct TimelineOptions {
  enum class Subject : std::uint8_t { kUser, kOrg, kResource };
  CommonOptions common;
  Subject subject = Subject::kUser;
  std::string id;
  RangeSpec range;
};
int Timeline(const TimelineOptions& options, std::ostream& out, std::ostream& err);

// diff: what changed in access between two moments.
struct DiffOptions {
  CommonOptions common;
  MomentSpec from, to;
};
int Diff(const DiffOptions& options, std::ostream& out, std::ostream& err);

// export: events as readable records.
struct ExportOptions {
  enum class Format : std::uint8_t { kJsonl, kCsv };
  CommonOptions common;
  Format format = Format::kJsonl;
  RangeSpec range;
  std::vector<std::string> types;  // event type names ("UserCreated"); empty: all
};
int Export(const ExportOptions& options, std::ostream& out, std::ostream& err);

// rebuild: recomputes the read models from the log for a server started afterwards.
struct RebuildOptions {
  CommonOptions common;
  std::string snapshot_dir;  // default DATA_DIR/snapshots
  bool keep_valid = false;   // remove only unusable snapshots
};
int Rebuild(const RebuildOptions& options, std::ostream& out, std::ostream& err);

// The answers of as-of, who-can and what-can from a log already folded to the moment: what
// the commands print. Tests use them to ask many questions of one open log.
struct FoldedView {
  const domain::AccessState& state;
  Moment moment;
  schemas::Hash event_hash;  // of the event at moment.position (zeros at position 0)
};
boost::json::object AsOfAnswer(const FoldedView& view);
// InvalidArgument for an unknown capability or an empty resource id.
Result<boost::json::object> WhoCanAnswer(const FoldedView& view, const WhoCanOptions& options);
Result<boost::json::object> WhatCanAnswer(const FoldedView& view, const WhatCanOptions& options);

// The command line: one entry per command, with the function that parses its arguments
// (those after the command's name) and runs it.
struct CommandInfo {
  std::string_view name;
  std::string_view summary;
  int (*main)(const std::vector<std::string>& args, bool terminal, std::ostream& out, std::ostream& err);
};
const std::vector<CommandInfo>& Commands();

// `portico-replay --help`: the commands, common options and exit codes.
std::string Usage();

}  // namespace portico::replay
