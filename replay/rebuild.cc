// rebuild: recomputes the read models from the log, for a server started afterwards.
//
// The server's read models live in memory and are rebuilt by its projections from the log at
// start, resuming from the snapshot files in DATA_DIR/snapshots when there are some
// (projections/runner.h, snapshot_file.h). So rebuild:
//   1. refuses (exit 5) while a server holds the log: the server would rewrite its snapshots;
//   2. verifies the whole log as verify does (exit 1 on a fault, touching nothing) while
//      folding it into the domain's access state, the model every read model is derived from;
//   3. removes the snapshot files, so that the next server start recomputes every read model
//      from the log instead of resuming one (with --keep-valid: only the damaged ones and those
//      claiming positions beyond the log's head, which a server could not resume from);
//   4. prints, per model, the position reached and a digest (BLAKE2b-256 of the as-of JSON at
//      the head), which two rebuilds of the same log reproduce.
// It writes nothing else: no file the server reads is created.
#include <filesystem>

#include <sodium.h>

#include "projections/snapshot_file.h"
#include "replay/cli.h"
#include "replay/exit_codes.h"
#include "replay/json_out.h"
#include "replay/state_json.h"

namespace portico::replay {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string Digest(std::string_view bytes) {
  schemas::Hash out;
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                     nullptr, 0);
  return schemas::HexEncode(out);
}

// Removes the snapshot files of `dir` (all, or with keep_valid the unusable ones) and says
// what it did with each.
Result<json::array> ClearSnapshots(const std::string& dir, Position head, bool keep_valid) {
  json::array out;
  std::error_code error;
  if (!fs::is_directory(dir, error)) return out;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    if (entry.path().extension() != ".snapshot") continue;
    const std::string path = entry.path().string();
    json::object o{{"file", path}};
    auto record = projections::ReadSnapshotFile(path);
    bool usable = false;
    if (!record.ok()) {
      o["problem"] = record.status().message();
    } else if (*record) {
      o["projection"] = (*record)->name;
      o["position"] = (*record)->position.value();
      usable = (*record)->position <= head;
      if (!usable) o["problem"] = "beyond the log's head " + std::to_string(head.value());
    }
    if (keep_valid && usable) {
      o["action"] = "kept";
    } else {
      fs::remove(entry.path(), error);
      if (error) return Status::Internal("removing " + path + ": " + error.message());
      o["action"] = "removed";
    }
    out.push_back(std::move(o));
  }
  if (error) return Status::Internal("listing " + dir + ": " + error.message());
  return out;
}

}  // namespace

int Rebuild(const RebuildOptions& options, std::ostream& out, std::ostream& err) {
  const std::string log_dir = options.common.data_dir + "/log";
  if (LogIsLockedByAnotherProcess(log_dir)) {
    return Fail(err, "rebuild", Status::Aborted("a server holds " + log_dir + "; stop it first"));
  }
  auto db = OpenLog(options.common);
  if (!db.ok()) return Fail(err, "rebuild", db.status());
  auto last = (*db)->LastStoredPosition();
  if (!last.ok()) return Fail(err, "rebuild", last.status());
  Replayer replayer(**db, ReplayOptions{true, nullptr});
  Status status = FoldWithProgress(replayer, *last, options.common, err, "rebuild");
  if (status.ok()) status = CheckHeadRecord(**db, replayer.chain());
  if (!status.ok()) return Fail(err, "rebuild", status);

  const std::string snapshot_dir =
      options.snapshot_dir.empty() ? options.common.data_dir + "/snapshots" : options.snapshot_dir;
  auto snapshots = ClearSnapshots(snapshot_dir, *last, options.keep_valid);
  if (!snapshots.ok()) return Fail(err, "rebuild", snapshots.status());

  const domain::AccessState& state = replayer.state();
  const std::int64_t now = replayer.chain().recorded_at_us();
  json::object doc;
  doc["head_position"] = last->value();
  doc["head_hash"] = schemas::HexEncode(replayer.chain().hash());
  doc["log_verified"] = true;
  doc["models"] = json::array{json::object{
      {"name", "access"},
      {"position", state.position},
      {"digest", Digest(StateText(state, now))},
      {"organisations", state.orgs.size()},
      {"users", state.users.size()},
      {"active_sessions", state.sessions.size()},
      {"resources", state.resources.size()},
      {"notes", state.notes.size()}}};
  doc["snapshot_dir"] = snapshot_dir;
  doc["snapshots"] = std::move(*snapshots);
  doc["next_start"] = "the server recomputes every read model without a snapshot from the log";
  WriteJson(out, doc, options.common.pretty);
  return kExitOk;
}

int RebuildMain(const std::vector<std::string>& args, bool terminal, std::ostream& out, std::ostream& err) {
  CommonArgs common;
  RebuildOptions options;
  std::optional<std::string> snapshot_dir;
  po::options_description desc("rebuild options");
  common.Add(desc);
  desc.add_options()
      ("snapshot-dir", po::value<std::string>()->notifier(KeepGiven(snapshot_dir)),
       "the read models' snapshots (default DIR/snapshots)")
      ("keep-valid", po::bool_switch(&options.keep_valid),
       "remove only damaged snapshots and those beyond the log's head");
  if (auto exit = ParseArgs("rebuild", "--data-dir DIR [--snapshot-dir D] [--keep-valid]", desc, args, out, err)) {
    return *exit;
  }
  auto parsed = common.Finish(terminal);
  if (!parsed.ok()) return Fail(err, "rebuild", parsed.status());
  // Given empty, the default directory would be cleared instead of the one meant.
  if (auto status = RequireNotEmpty("snapshot-dir", snapshot_dir); !status.ok()) return Fail(err, "rebuild", status);
  options.common = *parsed;
  options.snapshot_dir = snapshot_dir.value_or("");
  return Rebuild(options, out, err);
}

}  // namespace portico::replay
