#include "replay/cli.h"

#include <charconv>
#include <limits>
#include <sstream>

#include "replay/exit_codes.h"
#include "replay/time_format.h"

namespace portico::replay {

void CommonArgs::Add(po::options_description& desc) {
  desc.add_options()
      ("data-dir", po::value(&data_dir)->required(), "the data directory of portico serve (the log is DIR/log)")
      ("open-mode", po::value(&open_mode)->default_value(open_mode),
       "auto | read-only | secondary: how to open the log (auto: secondary when a server holds it)")
      ("progress", po::value(&progress)->default_value(progress),
       "auto | bar | lines | off: progress on stderr for long logs")
      ("compact", po::bool_switch(&compact), "print JSON on one line instead of indented");
}

Result<CommonOptions> CommonArgs::Finish(bool terminal) const {
  CommonOptions out;
  if (data_dir.empty()) return Status::InvalidArgument("--data-dir must not be empty");
  out.data_dir = data_dir;
  const auto mode = ParseOpenMode(open_mode);
  if (!mode) return Status::InvalidArgument("--open-mode must be auto, read-only or secondary, not '" + open_mode + "'");
  out.open_mode = *mode;
  const auto shown = ParseProgressMode(progress);
  if (!shown) return Status::InvalidArgument("--progress must be auto, bar, lines or off, not '" + progress + "'");
  out.progress = *shown;
  out.terminal = terminal;
  out.pretty = !compact;
  return out;
}

Status RequireNotEmpty(std::string_view name, const std::optional<std::string>& value) {
  if (value && value->empty()) return Status::InvalidArgument("--" + std::string(name) + " is empty");
  return Status::Ok();
}

Result<std::int64_t> ParseTimeOption(std::string_view name, const std::string& text) {
  auto parsed = ParseTime(text);
  if (!parsed.ok()) return Status::InvalidArgument("--" + std::string(name) + ": " + parsed.status().message());
  return parsed;
}

Result<std::uint64_t> ParsePositionOption(std::string_view name, const std::string& text) {
  std::uint64_t value = 0;
  const char* const end = text.data() + text.size();
  const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (!digits || error != std::errc() || stop != end) {
    return Status::InvalidArgument("--" + std::string(name) + " '" + text +
                                   "' is not a log position (a whole number from 0 to " +
                                   std::to_string(std::numeric_limits<std::uint64_t>::max()) + ")");
  }
  return value;
}

void MomentArgs::Add(po::options_description& desc, const char* at_option, const char* position_option,
                     const char* what) {
  at_name = at_option;
  position_name = position_option;
  desc.add_options()
      (at_option, po::value<std::string>()->notifier(KeepGiven(at)),
       (std::string("TIME ") + what + ": RFC 3339 (2026-11-22T10:00:00Z), microseconds since the epoch, or now")
           .c_str())
      (position_option, po::value<std::string>()->notifier(KeepGiven(position)),
       (std::string("N: ") + what + " as a log position instead of a time").c_str());
}

Result<MomentSpec> MomentArgs::Finish() const {
  MomentSpec out;
  if (at) {
    ASSIGN_OR_RETURN(out.at_us, ParseTimeOption(at_name, *at));
  }
  if (position) {
    ASSIGN_OR_RETURN(out.position, ParsePositionOption(position_name, *position));
  }
  if (out.at_us && out.position) return Status::InvalidArgument("give a time or a position, not both");
  return out;
}

void RangeArgs::Add(po::options_description& desc) {
  desc.add_options()
      ("from", po::value<std::string>()->notifier(KeepGiven(from)), "TIME: only events recorded at or after it")
      ("to", po::value<std::string>()->notifier(KeepGiven(to)), "TIME: only events recorded at or before it")
      ("from-position", po::value<std::string>()->notifier(KeepGiven(from_position)),
       "N: only events at or after position N")
      ("to-position", po::value<std::string>()->notifier(KeepGiven(to_position)),
       "N: only events at or before position N");
}

Result<RangeSpec> RangeArgs::Finish() const {
  RangeSpec out;
  if (from) {
    ASSIGN_OR_RETURN(out.from_us, ParseTimeOption("from", *from));
  }
  if (to) {
    ASSIGN_OR_RETURN(out.to_us, ParseTimeOption("to", *to));
  }
  if (from_position) {
    ASSIGN_OR_RETURN(out.from_position, ParsePositionOption("from-position", *from_position));
  }
  if (to_position) {
    ASSIGN_OR_RETURN(out.to_position, ParsePositionOption("to-position", *to_position));
  }
  if (out.from_us && out.to_us && *out.from_us > *out.to_us) {
    return Status::InvalidArgument("--from " + *from + " is after --to " + *to);
  }
  if (out.from_position && out.to_position && *out.from_position > *out.to_position) {
    return Status::InvalidArgument("--from-position " + *from_position + " is after --to-position " + *to_position);
  }
  return out;
}

std::optional<int> ParseArgs(std::string_view command, std::string_view synopsis, po::options_description& desc,
                             const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  bool help = false;
  desc.add_options()("help,h", po::bool_switch(&help), "show this help");
  const auto usage = [&](std::ostream& to) {
    to << "usage: portico-replay " << command << ' ' << synopsis << "\n\n" << desc << '\n' << ExitCodesHelp();
  };
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    if (vm.count("help") != 0 && vm["help"].as<bool>()) {
      usage(out);
      return kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    err << "portico-replay " << command << ": " << e.what() << "\n(see portico-replay " << command << " --help)\n";
    return kExitUsage;
  }
  return std::nullopt;
}

int Fail(std::ostream& err, std::string_view command, const Status& status) {
  err << "portico-replay " << command << ": " << status.message() << '\n';
  const int code = ExitCodeFor(status);
  if (code == kExitFault && command != "verify") {
    err << "the log fails verification; run `portico-replay verify` for the full check\n";
  }
  return code;
}

Result<std::unique_ptr<LogDb>> OpenLog(const CommonOptions& options) {
  std::string dir = options.data_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return LogDb::Open(dir + "/log", options.open_mode);
}

Result<std::pair<Position, Position>> ResolveRange(const LogDb& db, const RangeSpec& range, Position last) {
  std::uint64_t from = range.from_position.value_or(1);
  std::uint64_t to = std::min(range.to_position.value_or(last.value()), last.value());
  // The first event at or after from_us is the one after the last event before it; every
  // event is at or after the earliest time there is (which has no time before it).
  if (range.from_us && *range.from_us > std::numeric_limits<std::int64_t>::min()) {
    ASSIGN_OR_RETURN(Moment before, ResolveMoment(db, MomentSpec{*range.from_us - 1, std::nullopt}, last));
    from = std::max(from, before.position.value() + 1);
  }
  if (range.to_us) {
    ASSIGN_OR_RETURN(Moment at, ResolveMoment(db, MomentSpec{*range.to_us, std::nullopt}, last));
    to = std::min(to, at.position.value());
  }
  return std::make_pair(Position(std::max<std::uint64_t>(from, 1)), Position(to));
}

Status CheckHeadRecord(const LogDb& db, const ChainChecker& chain) {
  auto head = db.head_record();
  if (!head.ok()) return FaultAt(chain.position().value(), head.status().message());
  return chain.Finish(*head);
}

Status CheckHeadAtEnd(const LogDb& db, const ChainChecker& chain, Position last) {
  if (chain.position() < last) return Status::Ok();
  return CheckHeadRecord(db, chain);
}

Result<Moment> ResolveStoredMoment(const LogDb& db, const MomentSpec& spec, Position last) {
  if (spec.position && *spec.position > last.value()) {
    auto head = db.head_record();
    if (!head.ok()) return FaultAt(last.value(), head.status().message());
    if (*head && (*head)->position.value() >= *spec.position) {
      return MissingBeforeHead(last.value() + 1, (*head)->position.value());
    }
  }
  return ResolveMoment(db, spec, last);
}

Status FoldWithProgress(Replayer& replayer, Position to, const CommonOptions& options, std::ostream& err,
                        std::string_view label) {
  Progress progress(err, options.progress, options.terminal, std::string(label), to.value());
  replayer.set_progress(&progress);
  Status status = replayer.AdvanceTo(to);
  replayer.set_progress(nullptr);
  progress.Finish();
  return status;
}

void WriteMomentHeader(JsonWriter& w, const FoldedView& view) {
  w.Field("position", view.moment.position.value());
  w.TimeField("at", view.moment.now_us);
  w.Field("at_us", view.moment.now_us);
  w.Field("event_hash", view.moment.position.value() == 0 ? std::string() : schemas::HexEncode(view.event_hash));
}

boost::json::object MomentHeader(const FoldedView& view) {
  return ToJsonObject([&](JsonWriter& w) {
    w.BeginObject();
    WriteMomentHeader(w, view);
    w.EndObject();
  });
}

Result<FoldedMoment> FoldToMoment(const CommonOptions& options, const MomentSpec& spec, bool verify_hashes,
                                  std::ostream& err, std::string_view label) {
  FoldedMoment out;
  ASSIGN_OR_RETURN(out.db, OpenLog(options));
  ASSIGN_OR_RETURN(const Position last, out.db->LastStoredPosition());
  ASSIGN_OR_RETURN(out.moment, ResolveStoredMoment(*out.db, spec, last));
  out.replayer = std::make_unique<Replayer>(*out.db, ReplayOptions{verify_hashes, nullptr});
  RETURN_IF_ERROR(FoldWithProgress(*out.replayer, out.moment.position, options, err, label));
  RETURN_IF_ERROR(CheckHeadAtEnd(*out.db, out.replayer->chain(), last));
  return out;
}

const std::vector<CommandInfo>& Commands() {
  static const std::vector<CommandInfo> kCommands = {
      {"verify", "check the whole hash chain, every envelope, positions and stream versions; print the head hash",
       &VerifyMain},
      {"as-of", "the full access state at a moment, as JSON", &AsOfMain},
      {"who-can", "every user who could see or act on a resource at a moment, with the reason", &WhoCanMain},
      {"what-can", "everything a user could see or do at a moment", &WhatCanMain},
      {"timeline", "every change that affected a user's, organisation's or resource's access", &TimelineMain},
      {"diff", "what changed in access between two moments", &DiffMain},
      {"export", "events as readable records (JSON lines or CSV) for other audit tools", &ExportMain},
      {"rebuild", "recompute the read models from the log, for a server started afterwards", &RebuildMain},
  };
  return kCommands;
}

std::string Usage() {
  std::ostringstream out;
  out << "usage: portico-replay COMMAND --data-dir DIR [options]\n\n"
         "Answers from the event log alone (DIR/log), offline or beside a running server, without\n"
         "trusting it. Every event folded is checked: its position, its envelope, its link to the\n"
         "event before (prev_hash against that event's stored hash), its recorded time and its\n"
         "stream version; an answer that reaches the last stored event is checked against the\n"
         "head record too. Only verify, rebuild and as-of --verify recompute each event's own\n"
         "hash, the check that finds a changed byte inside an event.\n\n"
         "commands:\n";
  for (const CommandInfo& c : Commands()) {
    out << "  " << c.name << std::string(c.name.size() < 10 ? 10 - c.name.size() : 1, ' ') << c.summary << '\n';
  }
  out << "\n`portico-replay COMMAND --help` lists a command's options. TIME is RFC 3339\n"
         "(2026-11-22T10:00:00Z) or integer microseconds since the epoch (UTC).\n\n"
      << ExitCodesHelp();
  return out.str();
}

}  // namespace portico::replay
