// who-can: every user who could see or act on a resource at a moment, each with the scope
// and the level or grant that allowed it (access_query.h).
#include "domain/catalogue.h"
#include "replay/access_query.h"
#include "replay/cli.h"
#include "replay/exit_codes.h"
#include "replay/json_out.h"

namespace portico::replay {

Result<boost::json::object> WhoCanAnswer(const FoldedView& view, const WhoCanOptions& options) {
  std::optional<domain::Capability> capability;
  if (options.capability) {
    capability = domain::ParseCapability(*options.capability);
    if (!capability) return Status::InvalidArgument("capability '" + *options.capability + "' is not in the catalogue");
  }
  if (options.resource.empty()) return Status::InvalidArgument("--resource is empty");
  const domain::AccessState& state = view.state;
  boost::json::object doc = MomentHeader(view);
  doc["resource"] = options.resource;
  doc["capability"] = options.capability ? boost::json::value(*options.capability) : boost::json::value(nullptr);
  const domain::Resource* resource = state.FindResource(options.resource);
  doc["resource_exists"] = resource != nullptr;
  boost::json::array users;
  if (resource != nullptr) {
    doc["type"] = std::string(domain::ResourceTypeName(resource->type));
    doc["org"] = resource->org.value();
    for (const WhoCanEntry& entry :
         replay::WhoCan(state, *resource, capability, view.moment.now_us, options.include_denied)) {
      const domain::User& user = *state.FindUser(entry.user_id);
      boost::json::array allowed, denied;
      for (const Permission& p : entry.permissions) allowed.push_back(PermissionJson(p));
      for (const auto& [c, result] : entry.denied) {
        boost::json::object d = CheckJson(result);
        d["capability"] = std::string(domain::CapabilityName(c));
        denied.push_back(std::move(d));
      }
      boost::json::object u{{"user", entry.user_id}, {"org", user.org.value()}, {"level", user.level.value()},
                            {"allowed", std::move(allowed)}};
      if (options.include_denied) u["denied"] = std::move(denied);
      users.push_back(std::move(u));
    }
  }
  doc["users"] = std::move(users);
  return doc;
}

int WhoCan(const WhoCanOptions& options, std::ostream& out, std::ostream& err) {
  if (options.resource.empty()) return Fail(err, "who-can", Status::InvalidArgument("--resource is empty"));
  if (options.capability && options.capability->empty()) {
    return Fail(err, "who-can", Status::InvalidArgument("--capability is empty: name a capability, or leave it out"));
  }
  if (options.capability && !domain::ParseCapability(*options.capability)) {
    return Fail(err, "who-can", Status::InvalidArgument("capability '" + *options.capability + "' is not in the catalogue"));
  }
  auto folded = FoldToMoment(options.common, options.moment, false, err, "who-can");
  if (!folded.ok()) return Fail(err, "who-can", folded.status());
  auto doc = WhoCanAnswer(folded->view(), options);
  if (!doc.ok()) return Fail(err, "who-can", doc.status());
  WriteJson(out, *doc, options.common.pretty);
  return kExitOk;
}

int WhoCanMain(const std::vector<std::string>& args, bool terminal, std::ostream& out, std::ostream& err) {
  CommonArgs common;
  MomentArgs moment;
  WhoCanOptions options;
  po::options_description desc("who-can options");
  common.Add(desc);
  desc.add_options()
      ("resource", po::value(&options.resource)->required(), "R: the resource id")
      ("capability", po::value<std::string>()->notifier([&](const std::string& v) { options.capability = v; }),
       "C: only this capability (default: every one that applies to R)")
      ("include-denied", po::bool_switch(&options.include_denied), "also list denied users, each with the reason");
  moment.Add(desc, "at", "position", "the moment (default: the head)");
  if (auto exit = ParseArgs("who-can", "--data-dir DIR --resource R [--capability C] [--at TIME | --position N]",
                            desc, args, out, err)) {
    return *exit;
  }
  auto parsed = common.Finish(terminal);
  if (!parsed.ok()) return Fail(err, "who-can", parsed.status());
  auto spec = moment.Finish();
  if (!spec.ok()) return Fail(err, "who-can", spec.status());
  options.common = *parsed;
  options.moment = *spec;
  return WhoCan(options, out, err);
}

}  // namespace portico::replay
