// what-can: everything one user could see or do at a moment (access_query.h).
#include "replay/access_query.h"
#include "replay/cli.h"
#include "replay/exit_codes.h"
#include "replay/json_out.h"

namespace portico::replay {

Result<boost::json::object> WhatCanAnswer(const FoldedView& view, const WhatCanOptions& options) {
  if (options.user.empty()) return Status::InvalidArgument("--user is empty");
  boost::json::object doc = MomentHeader(view);
  const domain::User* user = view.state.FindUser(options.user);
  doc["user_exists"] = user != nullptr;
  if (user == nullptr) {
    doc["user"] = options.user;
    return doc;
  }
  for (auto& [key, value] : UserAccessJson(view.state, ComputeUserAccess(view.state, *user, view.moment.now_us))) {
    doc[key] = std::move(value);
  }
  return doc;
}

int WhatCan(const WhatCanOptions& options, std::ostream& out, std::ostream& err) {
  if (options.user.empty()) return Fail(err, "what-can", Status::InvalidArgument("--user is empty"));
  auto folded = FoldToMoment(options.common, options.moment, false, err, "what-can");
  if (!folded.ok()) return Fail(err, "what-can", folded.status());
  auto doc = WhatCanAnswer(folded->view(), options);
  if (!doc.ok()) return Fail(err, "what-can", doc.status());
  WriteJson(out, *doc, options.common.pretty);
  return kExitOk;
}

int WhatCanMain(const std::vector<std::string>& args, bool terminal, std::ostream& out, std::ostream& err) {
  CommonArgs common;
  MomentArgs moment;
  WhatCanOptions options;
  po::options_description desc("what-can options");
  common.Add(desc);
  desc.add_options()("user", po::value(&options.user)->required(), "U: the portal user id");
  moment.Add(desc, "at", "position", "the moment (default: the head)");
  if (auto exit = ParseArgs("what-can", "--data-dir DIR --user U [--at TIME | --position N]", desc, args, out, err)) {
    return *exit;
  }
  auto parsed = common.Finish(terminal);
  if (!parsed.ok()) return Fail(err, "what-can", parsed.status());
  auto spec = moment.Finish();
  if (!spec.ok()) return Fail(err, "what-can", spec.status());
  options.common = *parsed;
  options.moment = *spec;
  return WhatCan(options, out, err);
}

}  // namespace portico::replay
