// as-of: the full access state at a moment (state_json.h), folded from the log.
#include "replay/cli.h"
#include "replay/exit_codes.h"
#include "replay/json_out.h"
#include "replay/state_json.h"

namespace portico::replay {

namespace {

// The answer's members: the moment, then the state (state_json.h).
void WriteAsOfMembers(JsonWriter& writer, const FoldedView& view) {
  WriteMomentHeader(writer, view);
  WriteStateMembers(writer, view.state, view.moment.now_us);
}

}  // namespace

boost::json::object AsOfAnswer(const FoldedView& view) {
  return ToJsonObject([&](JsonWriter& writer) {
    writer.BeginObject();
    WriteAsOfMembers(writer, view);
    writer.EndObject();
  });
}

int AsOf(const AsOfOptions& options, std::ostream& out, std::ostream& err) {
  auto folded = FoldToMoment(options.common, options.moment, options.verify_hashes, err, "as-of");
  if (!folded.ok()) return Fail(err, "as-of", folded.status());
  JsonWriter writer(out, options.common.pretty);
  writer.BeginObject();
  WriteAsOfMembers(writer, folded->view());
  writer.Field("hashes_verified", options.verify_hashes);
  writer.EndObject();
  writer.Finish();
  return kExitOk;
}

int AsOfMain(const std::vector<std::string>& args, bool terminal, std::ostream& out, std::ostream& err) {
  CommonArgs common;
  MomentArgs moment;
  AsOfOptions options;
  po::options_description desc("as-of options");
  common.Add(desc);
  moment.Add(desc, "at", "position", "the moment (default: the head)");
  desc.add_options()("verify", po::bool_switch(&options.verify_hashes),
                     "also recompute every folded event's own hash (slower)");
  if (auto exit = ParseArgs("as-of", "--data-dir DIR [--at TIME | --position N] [--verify]", desc, args, out, err)) {
    return *exit;
  }
  auto parsed = common.Finish(terminal);
  if (!parsed.ok()) return Fail(err, "as-of", parsed.status());
  auto spec = moment.Finish();
  if (!spec.ok()) return Fail(err, "as-of", spec.status());
  options.common = *parsed;
  options.moment = *spec;
  return AsOf(options, out, err);
}

}  // namespace portico::replay
