// export: events as readable records (event_json.h), JSON lines or CSV, filtered by range and
// type. The scan runs from position 1 so that every exported event passes the chain checks
// (chain_check.h, without recomputing hashes: verify does that). A range reaching the last
// stored event is checked against the head record too (cli.h, CheckHeadAtEnd); the records are
// streamed, so that fault comes after them, and exit 1 says to discard what was written.
#include <boost/json/serialize.hpp>

#include "replay/chain_check.h"
#include "replay/cli.h"
#include "replay/event_json.h"
#include "replay/exit_codes.h"
#include "replay/scan.h"

namespace portico::replay {
namespace {

// The body types named, by their schema name ("UserCreated") or snake_case ("user_created").
Result<std::vector<bool>> ParseTypes(const std::vector<std::string>& names) {
  constexpr auto kMax = static_cast<std::size_t>(schema::EventBody::MAX);
  std::vector<bool> wanted(kMax + 1, names.empty());
  for (const std::string& list : names) {
    std::size_t start = 0;
    while (start <= list.size()) {
      const std::size_t comma = std::min(list.find(',', start), list.size());
      const std::string name = list.substr(start, comma - start);
      start = comma + 1;
      if (name.empty()) continue;
      bool found = false;
      for (std::size_t t = 1; t <= kMax; ++t) {
        const std::string_view type = schemas::EventTypeName(static_cast<schema::EventBody>(t));
        if (name == type || name == schemas::SnakeCaseName(type)) wanted[t] = found = true;
      }
      if (!found) {
        std::string known;
        for (std::size_t t = 1; t <= kMax; ++t) {
          known += (t > 1 ? ", " : "") + std::string(schemas::EventTypeName(static_cast<schema::EventBody>(t)));
        }
        return Status::InvalidArgument("unknown event type '" + name + "'; known types: " + known);
      }
    }
  }
  return wanted;
}

}  // namespace

int Export(const ExportOptions& options, std::ostream& out, std::ostream& err) {
  auto wanted = ParseTypes(options.types);
  if (!wanted.ok()) return Fail(err, "export", wanted.status());
  auto db = OpenLog(options.common);
  if (!db.ok()) return Fail(err, "export", db.status());
  auto last = (*db)->LastStoredPosition();
  if (!last.ok()) return Fail(err, "export", last.status());
  auto range = ResolveRange(**db, options.range, *last);
  if (!range.ok()) return Fail(err, "export", range.status());
  const auto [from, to] = *range;

  const bool csv = options.format == ExportOptions::Format::kCsv;
  if (csv) out << CsvHeader();
  ChainChecker chain;
  Progress progress(err, options.common.progress, options.common.terminal, "export", to.value());
  ScanOptions scan;
  scan.to = to;
  Status status = ScanLog(**db, scan, [&](const EventBatch& batch) -> Status {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const schema::Envelope* envelope = batch.envelope(i);
      RETURN_IF_ERROR(chain.Next(batch.position(i), batch.bytes(i), envelope, nullptr));
      if (batch.position(i) < from.value()) continue;
      if (!(*wanted)[static_cast<std::size_t>(envelope->body_type())]) continue;
      const boost::json::object record = EventJson(*envelope);
      if (csv) {
        out << CsvRow(record);
      } else {
        out << boost::json::serialize(record) << '\n';
      }
    }
    progress.Update(chain.position().value());
    if (!out) return Status::Internal("writing the output failed");
    return Status::Ok();
  });
  progress.Finish();
  if (status.ok() && chain.position() < to) {
    status = FaultAt(chain.position().value() + 1, "missing");
  }
  if (status.ok()) status = CheckHeadAtEnd(**db, chain, *last);
  out.flush();
  if (!status.ok()) return Fail(err, "export", status);
  return kExitOk;
}

int ExportMain(const std::vector<std::string>& args, bool terminal, std::ostream& out, std::ostream& err) {
  CommonArgs common;
  RangeArgs range;
  ExportOptions options;
  std::string format = "jsonl";
  po::options_description desc("export options");
  common.Add(desc);
  desc.add_options()
      ("format", po::value(&format)->default_value(format), "jsonl | csv")
      ("type", po::value(&options.types)->composing(),
       "only events of this type (UserCreated or user_created; repeat or separate with commas)");
  range.Add(desc);
  if (auto exit = ParseArgs("export", "--data-dir DIR --format jsonl|csv [--from TIME] [--to TIME] [--type T]", desc,
                            args, out, err)) {
    return *exit;
  }
  auto parsed = common.Finish(terminal);
  if (!parsed.ok()) return Fail(err, "export", parsed.status());
  auto spec = range.Finish();
  if (!spec.ok()) return Fail(err, "export", spec.status());
  if (format == "jsonl") {
    options.format = ExportOptions::Format::kJsonl;
  } else if (format == "csv") {
    options.format = ExportOptions::Format::kCsv;
  } else {
    return Fail(err, "export", Status::InvalidArgument("--format must be jsonl or csv, not '" + format + "'"));
  }
  options.common = *parsed;
  options.range = *spec;
  return Export(options, out, err);
}

}  // namespace portico::replay
