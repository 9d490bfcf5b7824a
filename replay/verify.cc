// verify: the audit's full check of the log (chain_check.h), every event's own hash included,
// over a pipelined scan (scan.h). Prints the head hash for the auditor to record.
#include <charconv>
#include <chrono>
#include <cctype>
#include <limits>
#include <system_error>

#include <boost/json/object.hpp>

#include "replay/chain_check.h"
#include "replay/cli.h"
#include "replay/exit_codes.h"
#include "replay/json_out.h"
#include "replay/scan.h"
#include "replay/time_format.h"

namespace portico::replay {
namespace {

// --expect-head: "HASH" (the head) or "POSITION:HASH".
struct ExpectedHead {
  std::optional<std::uint64_t> position;
  std::string hash;
};

Result<ExpectedHead> ParseExpectedHead(const std::string& text) {
  if (text.empty()) return Status::InvalidArgument("--expect-head is empty: give HASH or POSITION:HASH");
  ExpectedHead out;
  std::string hash = text;
  if (const auto colon = text.find(':'); colon != std::string::npos) {
    const std::string_view number(text.data(), colon);
    if (number.empty() || number.find_first_not_of("0123456789") != std::string_view::npos) {
      return Status::InvalidArgument("--expect-head must be HASH or POSITION:HASH, not '" + text + "'");
    }
    std::uint64_t position = 0;
    const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), position);
    if (error != std::errc() || end != number.data() + number.size()) {
      return Status::InvalidArgument("--expect-head position '" + std::string(number) +
                                     "' is out of range (at most " +
                                     std::to_string(std::numeric_limits<std::uint64_t>::max()) + ")");
    }
    out.position = position;
    hash = text.substr(colon + 1);
  }
  for (char& c : hash) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return Status::InvalidArgument("--expect-head needs a 64-digit hex BLAKE2b-256 hash, not '" + hash + "'");
  }
  out.hash = hash;
  return out;
}

// The position a fault message names ("position 12: ...").
std::optional<std::uint64_t> FaultPosition(const Status& status) {
  constexpr std::string_view kPrefix = "position ";
  const std::string& m = status.message();
  if (m.rfind(kPrefix, 0) != 0) return std::nullopt;
  std::uint64_t v = 0;
  std::size_t i = kPrefix.size();
  if (i >= m.size() || !std::isdigit(static_cast<unsigned char>(m[i]))) return std::nullopt;
  for (; i < m.size() && std::isdigit(static_cast<unsigned char>(m[i])); ++i) v = v * 10 + (m[i] - '0');
  return v;
}

struct Report {
  std::string log_dir;
  OpenMode mode = OpenMode::kReadOnly;
  std::uint64_t events = 0;
  std::size_t streams = 0;
  std::int64_t first_time = 0, last_time = 0;
  schemas::Hash head_hash{};
  Status fault;
  std::optional<ExpectedHead> expected;
  std::optional<bool> expected_matches;
  double seconds = 0;
};

void PrintText(const Report& r, std::ostream& out) {
  out << "log: " << r.log_dir << " (opened " << OpenModeName(r.mode) << ")\n";
  if (r.fault.ok()) {
    out << "events: " << r.events << " (positions 1.." << r.events << "), streams: " << r.streams << '\n';
    if (r.events > 0) {
      out << "recorded: " << FormatTime(r.first_time) << " .. " << FormatTime(r.last_time) << '\n';
    }
    out << "head position: " << r.events << '\n';
    out << "head hash: " << schemas::HexEncode(r.head_hash) << '\n';
  }
  if (r.expected) {
    out << "expected head: " << (r.expected->position ? std::to_string(*r.expected->position) + ":" : "")
        << r.expected->hash << (r.expected_matches.value_or(false) ? " (matches)" : " (DOES NOT MATCH)") << '\n';
  }
  if (r.fault.ok()) {
    out << "result: " << (r.expected_matches.value_or(true) ? "OK" : "FAULT") << '\n';
  } else {
    out << "result: FAULT at " << r.fault.message() << '\n';
    out << "intact before the fault: positions 1.." << r.events << '\n';
  }
}

void PrintJson(const Report& r, std::ostream& out, bool pretty) {
  boost::json::object o;
  o["log"] = r.log_dir;
  o["open_mode"] = std::string(OpenModeName(r.mode));
  o["ok"] = r.fault.ok() && r.expected_matches.value_or(true);
  o["events_verified"] = r.events;
  if (r.fault.ok()) {
    o["streams"] = r.streams;
    o["head_position"] = r.events;
    o["head_hash"] = schemas::HexEncode(r.head_hash);
    if (r.events > 0) {
      o["first_recorded_at"] = FormatTime(r.first_time);
      o["last_recorded_at"] = FormatTime(r.last_time);
    }
  } else {
    const auto position = FaultPosition(r.fault);
    o["fault"] = boost::json::object{
        {"position", position ? boost::json::value(*position) : boost::json::value(nullptr)},
        {"message", r.fault.message()}};
  }
  if (r.expected) {
    o["expected_head"] = boost::json::object{
        {"position", r.expected->position ? boost::json::value(*r.expected->position) : boost::json::value(nullptr)},
        {"hash", r.expected->hash},
        {"matches", r.expected_matches.value_or(false)}};
  }
  o["seconds"] = r.seconds;
  o["events_per_second"] = r.seconds > 0 ? static_cast<double>(r.events) / r.seconds : 0.0;
  WriteJson(out, o, pretty);
}

}  // namespace

int Verify(const VerifyOptions& options, std::ostream& out, std::ostream& err) {
  std::optional<ExpectedHead> expected;
  if (options.expect_head) {
    auto parsed = ParseExpectedHead(*options.expect_head);
    if (!parsed.ok()) return Fail(err, "verify", parsed.status());
    expected = *parsed;
  }
  auto db = OpenLog(options.common);
  if (!db.ok()) return Fail(err, "verify", db.status());
  auto last = (*db)->LastStoredPosition();
  if (!last.ok()) return Fail(err, "verify", last.status());

  const auto start = std::chrono::steady_clock::now();
  Report report;
  report.log_dir = options.common.data_dir + "/log";
  report.mode = (*db)->mode();
  report.expected = expected;
  ChainChecker chain;
  std::optional<schemas::Hash> hash_at_expected;
  {
    Progress progress(err, options.common.progress, options.common.terminal, "verify", last->value());
    ScanOptions scan;
    scan.hash = true;
    Status status = ScanLog(**db, scan, [&](const EventBatch& batch) -> Status {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        RETURN_IF_ERROR(chain.Next(batch.position(i), batch.bytes(i), batch.envelope(i), &batch.computed_hash(i)));
        if (chain.position().value() == 1) report.first_time = chain.recorded_at_us();
        if (expected && expected->position && *expected->position == chain.position().value()) {
          hash_at_expected = chain.hash();
        }
      }
      progress.Update(chain.position().value());
      return Status::Ok();
    });
    if (status.ok()) status = CheckHeadRecord(**db, chain);
    progress.Finish();
    report.fault = status;
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.events = chain.position().value();
  report.streams = chain.streams();
  report.last_time = chain.recorded_at_us();
  report.head_hash = chain.hash();
  if (!report.fault.ok() && !report.fault.IsCorruption()) return Fail(err, "verify", report.fault);
  if (expected && report.fault.ok()) {
    const auto actual = expected->position ? hash_at_expected : std::optional<schemas::Hash>(chain.hash());
    report.expected_matches = actual && schemas::HexEncode(*actual) == expected->hash;
  }
  if (options.json) {
    PrintJson(report, out, options.common.pretty);
  } else {
    PrintText(report, out);
  }
  return report.fault.ok() && report.expected_matches.value_or(true) ? kExitOk : kExitFault;
}

int VerifyMain(const std::vector<std::string>& args, bool terminal, std::ostream& out, std::ostream& err) {
  CommonArgs common;
  VerifyOptions options;
  po::options_description desc("verify options");
  common.Add(desc);
  desc.add_options()
      ("expect-head", po::value<std::string>()->notifier([&](const std::string& v) { options.expect_head = v; }),
       "HASH or POSITION:HASH recorded earlier: a fault (exit 1) unless the log's head (or the event at "
       "POSITION) has that hash")
      ("json", po::bool_switch(&options.json), "print the report as JSON");
  if (auto exit = ParseArgs("verify", "--data-dir DIR [--expect-head HASH] [--json]", desc, args, out, err)) {
    return *exit;
  }
  auto parsed = common.Finish(terminal);
  if (!parsed.ok()) return Fail(err, "verify", parsed.status());
  options.common = *parsed;
  return Verify(options, out, err);
}

}  // namespace portico::replay
