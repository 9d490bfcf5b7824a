// Internal: what the command files share to parse their arguments, open the log, fold it and
// report failures. Not for the tests (they use commands.h).
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/program_options.hpp>

#include "common/status.h"
#include "replay/chain_check.h"
#include "replay/commands.h"
#include "replay/log_db.h"
#include "replay/json_out.h"
#include "replay/moment.h"
#include "replay/progress.h"
#include "replay/replayer.h"

namespace portico::replay {

namespace po = boost::program_options;

// A notifier that keeps an option's value as given, so that a command can tell an option
// given empty ("--user ''": a bad argument) from one not given at all.
inline auto KeepGiven(std::optional<std::string>& into) {
  return [&into](const std::string& v) { into = v; };
}

// Refuses an option given with an empty value, naming it.
Status RequireNotEmpty(std::string_view name, const std::optional<std::string>& value);

// The raw strings of the options every command takes, bound to a description.
struct CommonArgs {
  std::string data_dir;
  std::string open_mode = "auto";
  std::string progress = "auto";
  bool compact = false;

  void Add(po::options_description& desc);
  Result<CommonOptions> Finish(bool terminal) const;
};

// --at TIME / --position N under the given names. The values are kept as given and parsed
// by Finish, so that its errors name the option and the value.
struct MomentArgs {
  std::string at_name, position_name;
  std::optional<std::string> at, position;

  void Add(po::options_description& desc, const char* at_name, const char* position_name, const char* what);
  Result<MomentSpec> Finish() const;
};

// --from/--to TIME and --from-position/--to-position N, kept as given like MomentArgs.
struct RangeArgs {
  std::optional<std::string> from, to, from_position, to_position;

  void Add(po::options_description& desc);
  Result<RangeSpec> Finish() const;
};

// The value of option `name` as a time (ParseTime) or a log position (decimal digits that fit
// in 64 bits: boost would take "-1" for an unsigned option and wrap it); InvalidArgument
// naming the option and the value otherwise.
Result<std::int64_t> ParseTimeOption(std::string_view name, const std::string& text);
Result<std::uint64_t> ParsePositionOption(std::string_view name, const std::string& text);

// Parses args against desc (plus --help). Returns nullopt when the command should run; else
// the exit code, having printed the usage (--help: 0) or the error (2).
std::optional<int> ParseArgs(std::string_view command, std::string_view synopsis, po::options_description& desc,
                             const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// Prints "portico-replay COMMAND: MESSAGE" to err and returns ExitCodeFor(status).
int Fail(std::ostream& err, std::string_view command, const Status& status);

Result<std::unique_ptr<LogDb>> OpenLog(const CommonOptions& options);

// The position of the first event with recorded_at >= from_us (from_position if given),
// and of the last with recorded_at <= to_us, within [1, last].
Result<std::pair<Position, Position>> ResolveRange(const LogDb& db, const RangeSpec& range, Position last);

// The head record read at open against the last event `chain` checked (ChainChecker::Finish);
// a head record that cannot be decoded is a fault at that position too.
Status CheckHeadRecord(const LogDb& db, const ChainChecker& chain);

// After a fold that reached `last` (the last stored event): the head record read at open must
// name that position and the hash the fold ended on, else Corruption naming both positions (or
// the hash). The store writes each event and the head record in one batch, so a mismatch means
// events were deleted from the end, or stored past the head record. A fold that stopped before
// `last` answers only on events the chain checks covered: OK without looking.
Status CheckHeadAtEnd(const LogDb& db, const ChainChecker& chain, Position last);

// ResolveMoment (moment.h) within the stored events. A --position past the last stored one is
// a bad argument, unless the head record says the log reaches it: then events were deleted
// from the end, and that is the fault returned (MissingBeforeHead).
Result<Moment> ResolveStoredMoment(const LogDb& db, const MomentSpec& spec, Position last);

// Folds replayer up to `to`, with a progress display on err.
Status FoldWithProgress(Replayer& replayer, Position to, const CommonOptions& options, std::ostream& err,
                        std::string_view label);

// A log folded up to a moment: what as-of, who-can and what-can answer on.
struct FoldedMoment {
  std::unique_ptr<LogDb> db;
  Moment moment;
  std::unique_ptr<Replayer> replayer;  // uses *db

  const domain::AccessState& state() const { return replayer->state(); }
  FoldedView view() const { return FoldedView{replayer->state(), moment, replayer->chain().hash()}; }
};

// "position", "at", "at_us" and "event_hash" (the hash of the event at the position).
boost::json::object MomentHeader(const FoldedView& view);
// The same members, into the object `writer` has open.
void WriteMomentHeader(JsonWriter& writer, const FoldedView& view);

// Opens the log, resolves the moment and folds up to it (with progress on err); at the last
// stored event, checks the head record too (CheckHeadAtEnd).
Result<FoldedMoment> FoldToMoment(const CommonOptions& options, const MomentSpec& spec, bool verify_hashes,
                                  std::ostream& err, std::string_view label);

// The command-line entry points of the command files (see CommandInfo).
int VerifyMain(const std::vector<std::string>& args, bool terminal, std::ostream& out, std::ostream& err);
int AsOfMain(const std::vector<std::string>& args, bool terminal, std::ostream& out, std::ostream& err);
int WhoCanMain(const std::vector<std::string>& args, bool terminal, std::ostream& out, std::ostream& err);
int WhatCanMain(const std::vector<std::string>& args, bool terminal, std::ostream& out, std::ostream& err);
int TimelineMain(const std::vector<std::string>& args, bool terminal, std::ostream& out, std::ostream& err);
int DiffMain(const std::vector<std::string>& args, bool terminal, std::ostream& out, std::ostream& err);
int ExportMain(const std::vector<std::string>& args, bool terminal, std::ostream& out, std::ostream& err);
int RebuildMain(const std::vector<std::string>& args, bool terminal, std::ostream& out, std::ostream& err);

}  // namespace portico::replay
