// timeline: every change that affected the access of one user, organisation or resource
// (access_watch.h), in log order, one JSON record per line: position, time, type, stream,
// actor, on-behalf-of, a summary, the body and the effect. As with export, a fault found at the
// end (a head record that disagrees with the last stored event: cli.h, CheckHeadAtEnd) comes
// after the records already printed; exit 1 says to discard them.
#include <array>
#include <optional>
#include <utility>

#include <boost/json/serialize.hpp>

#include "replay/access_watch.h"
#include "replay/cli.h"
#include "replay/event_json.h"
#include "replay/exit_codes.h"
#include "replay/time_format.h"

namespace portico::replay {
namespace {

class TimelinePrinter final : public FoldObserver {
 public:
  TimelinePrinter(AccessWatch& watch, Position from, std::ostream& out) : watch_(watch), from_(from), out_(out) {}

  void Before(const schema::Envelope& event, const domain::AccessState& state) override { watch_.Before(event, state); }

  Status After(const schema::Envelope& e, std::string_view, const domain::AccessState& state) override {
    std::optional<boost::json::object> effect = watch_.After(e, state);
    if (!effect || e.position() < from_.value()) return Status::Ok();
    boost::json::object record{
        {"position", e.position()},
        {"recorded_at", FormatTime(e.recorded_at_us())},
        {"type", std::string(schemas::EventTypeName(e.body_type()))},
        {"stream", e.stream_id()->str()},
        {"actor", boost::json::object{
                      {"kind", e.actor() ? schemas::SnakeCaseName(schema::EnumNameActorKind(e.actor()->kind())) : "system"},
                      {"id", e.actor() && e.actor()->id() ? e.actor()->id()->str() : ""}}},
        {"on_behalf_of", e.on_behalf_of() ? e.on_behalf_of()->str() : ""},
        {"summary", DescribeEvent(e)},
        {"body", BodyJson(e)},
        {"effect", std::move(*effect)}};
    out_ << boost::json::serialize(record) << '\n';
    ++printed_;
    if (!out_) return Status::Internal("writing the output failed");
    return Status::Ok();
  }

  std::uint64_t printed() const { return printed_; }

 private:
  AccessWatch& watch_;
  const Position from_;
  std::ostream& out_;
  std::uint64_t printed_ = 0;
};

AccessWatch::Subject ToWatch(TimelineOptions::Subject s) {
  switch (s) {
    case TimelineOptions::Subject::kUser: return AccessWatch::Subject::kUser;
    case TimelineOptions::Subject::kOrg: return AccessWatch::Subject::kOrg;
    case TimelineOptions::Subject::kResource: return AccessWatch::Subject::kResource;
  }
  return AccessWatch::Subject::kUser;
}

}  // namespace

int Timeline(const TimelineOptions& options, std::ostream& out, std::ostream& err) {
  if (options.id.empty()) return Fail(err, "timeline", Status::InvalidArgument("the subject's id is empty"));
  auto db = OpenLog(options.common);
  if (!db.ok()) return Fail(err, "timeline", db.status());
  auto last = (*db)->LastStoredPosition();
  if (!last.ok()) return Fail(err, "timeline", last.status());
  auto range = ResolveRange(**db, options.range, *last);
  if (!range.ok()) return Fail(err, "timeline", range.status());
  const auto [from, to] = *range;

  std::unique_ptr<AccessWatch> watch = AccessWatch::Make(ToWatch(options.subject), options.id);
  TimelinePrinter printer(*watch, from, out);
  Replayer replayer(**db, ReplayOptions{});
  Progress progress(err, options.common.progress, options.common.terminal, "timeline", to.value());
  replayer.set_progress(&progress);
  Status status = replayer.AdvanceTo(to, &printer);
  if (status.ok()) status = CheckHeadAtEnd(**db, replayer.chain(), *last);
  progress.Finish();
  out.flush();
  if (!status.ok()) return Fail(err, "timeline", status);
  return kExitOk;
}

int TimelineMain(const std::vector<std::string>& args, bool terminal, std::ostream& out, std::ostream& err) {
  CommonArgs common;
  RangeArgs range;
  std::optional<std::string> user, org, resource;
  po::options_description desc("timeline options");
  common.Add(desc);
  desc.add_options()
      ("user", po::value<std::string>()->notifier(KeepGiven(user)), "U: a portal user's timeline")
      ("org", po::value<std::string>()->notifier(KeepGiven(org)), "O: an organisation's timeline")
      ("resource", po::value<std::string>()->notifier(KeepGiven(resource)), "R: a resource's timeline");
  range.Add(desc);
  if (auto exit = ParseArgs("timeline", "--data-dir DIR (--user U | --org O | --resource R) [--from TIME] [--to TIME]",
                            desc, args, out, err)) {
    return *exit;
  }
  TimelineOptions options;
  auto parsed = common.Finish(terminal);
  if (!parsed.ok()) return Fail(err, "timeline", parsed.status());
  auto spec = range.Finish();
  if (!spec.ok()) return Fail(err, "timeline", spec.status());
  const int subjects = user.has_value() + org.has_value() + resource.has_value();
  if (subjects != 1) {
    return Fail(err, "timeline", Status::InvalidArgument("give exactly one of --user, --org and --resource"));
  }
  for (const auto& [name, value] :
       std::array{std::pair{"user", &user}, std::pair{"org", &org}, std::pair{"resource", &resource}}) {
    if (auto status = RequireNotEmpty(name, *value); !status.ok()) return Fail(err, "timeline", status);
  }
  options.common = *parsed;
  options.range = *spec;
  if (user) {
    options.subject = TimelineOptions::Subject::kUser;
    options.id = *user;
  } else if (org) {
    options.subject = TimelineOptions::Subject::kOrg;
    options.id = *org;
  } else {
    options.subject = TimelineOptions::Subject::kResource;
    options.id = *resource;
  }
  return Timeline(options, out, err);
}

}  // namespace portico::replay
