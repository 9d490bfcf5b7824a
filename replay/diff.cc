// diff: what changed in access between two moments. Folds to --from, keeps that state, folds
// on to --to, and compares: settings; organisations, custom levels and users field by field
// (state_json.h's forms); sessions started and ended; and, per user, the capabilities and the
// resource permissions and notes gained or lost (access_query.h, each at its own moment).
#include <algorithm>
#include <set>
#include <tuple>

#include "replay/access_query.h"
#include "replay/cli.h"
#include "replay/exit_codes.h"
#include "replay/json_out.h"
#include "replay/state_json.h"
#include "replay/time_format.h"

namespace portico::replay {
namespace {

namespace json = boost::json;

// {key: {"from": a, "to": b}} for every key whose value differs (missing keys are null).
json::object FieldChanges(const json::object& a, const json::object& b) {
  json::object out;
  std::set<std::string> keys;
  for (const auto& kv : a) keys.emplace(kv.key());
  for (const auto& kv : b) keys.emplace(kv.key());
  for (const std::string& key : keys) {
    const json::value* va = a.if_contains(key);
    const json::value* vb = b.if_contains(key);
    const json::value from = va ? *va : json::value(nullptr);
    const json::value to = vb ? *vb : json::value(nullptr);
    if (from != to) out[key] = json::object{{"from", from}, {"to", to}};
  }
  return out;
}

template <typename V>
const V* FindIn(const domain::StringMap<V>& map, std::string_view id) {
  const auto it = map.find(id);
  return it == map.end() ? nullptr : &it->second;
}
template <typename V>
const V* FindIn(const domain::EntityMap<V>& map, std::string_view id) {
  return map.Find(id);
}

// Compares two maps entity by entity with `to_json`: added ids, removed ids, changed fields.
template <typename Map, typename ToJson>
json::object EntityChanges(const Map& a, const Map& b, ToJson to_json) {
  json::array added, removed, changed;
  for (const auto* v : SortedValues(b)) {
    const auto* before = FindIn(a, v->id.value());
    if (before == nullptr) {
      added.emplace_back(v->id.value());
      continue;
    }
    json::object fields = FieldChanges(to_json(*before, true), to_json(*v, false));
    if (!fields.empty()) changed.push_back(json::object{{"id", v->id.value()}, {"changes", std::move(fields)}});
  }
  for (const auto* v : SortedValues(a)) {
    if (FindIn(b, v->id.value()) == nullptr) removed.emplace_back(v->id.value());
  }
  return {{"added", std::move(added)}, {"removed", std::move(removed)}, {"changed", std::move(changed)}};
}

using Grant = std::tuple<std::string, std::string, std::string>;  // resource ("" for features), capability, scope

std::set<Grant> Flatten(const UserAccess& access) {
  std::set<Grant> out;
  for (const Permission& p : access.features) {
    out.emplace("", domain::CapabilityName(p.capability), domain::ScopeName(p.scope));
  }
  for (const ResourceAccess& ra : access.resources) {
    for (const Permission& p : ra.permissions) {
      out.emplace(ra.resource_id, domain::CapabilityName(p.capability), domain::ScopeName(p.scope));
    }
  }
  return out;
}

json::array GrantList(const std::vector<Grant>& grants) {
  json::array out;
  for (const auto& [resource, capability, scope] : grants) {
    json::object o{{"capability", capability}, {"scope", scope}};
    if (!resource.empty()) o["resource"] = resource;
    out.push_back(std::move(o));
  }
  return out;
}

template <typename T>
std::pair<std::vector<T>, std::vector<T>> Difference(const std::set<T>& a, const std::set<T>& b) {
  std::vector<T> gained, lost;
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(gained));
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(lost));
  return {std::move(gained), std::move(lost)};
}

// Per user: what it could do or see at `to` and not at `from`, and the reverse.
json::array AccessChanges(const domain::AccessState& a, std::int64_t a_now, const domain::AccessState& b,
                          std::int64_t b_now) {
  std::set<std::string> ids;
  for (const domain::User& u : a.users) ids.insert(u.id.value());
  for (const domain::User& u : b.users) ids.insert(u.id.value());
  json::array out;
  for (const std::string& id : ids) {
    const domain::User* ua = a.FindUser(id);
    const domain::User* ub = b.FindUser(id);
    const UserAccess xa = ua ? ComputeUserAccess(a, *ua, a_now) : UserAccess{};
    const UserAccess xb = ub ? ComputeUserAccess(b, *ub, b_now) : UserAccess{};
    const auto [gained, lost] = Difference(Flatten(xa), Flatten(xb));
    const auto [notes_gained, notes_lost] = Difference(std::set<std::string>(xa.notes.begin(), xa.notes.end()),
                                                       std::set<std::string>(xb.notes.begin(), xb.notes.end()));
    const bool portal_changed = (ua != nullptr) != (ub != nullptr) || xa.active.allowed != xb.active.allowed ||
                                xa.active.reason != xb.active.reason;
    if (gained.empty() && lost.empty() && notes_gained.empty() && notes_lost.empty() && !portal_changed) continue;
    json::object o{{"user", id}};
    if (portal_changed) {
      o["portal_access"] = json::object{{"from", ua ? json::value(CheckJson(xa.active)) : json::value(nullptr)},
                                        {"to", ub ? json::value(CheckJson(xb.active)) : json::value(nullptr)}};
    }
    o["gained"] = GrantList(gained);
    o["lost"] = GrantList(lost);
    o["notes_gained"] = json::array(notes_gained.begin(), notes_gained.end());
    o["notes_lost"] = json::array(notes_lost.begin(), notes_lost.end());
    out.push_back(std::move(o));
  }
  return out;
}

json::object SessionChanges(const domain::AccessState& a, const domain::AccessState& b, std::int64_t b_now) {
  json::array started, ended;
  for (const domain::Session* s : SortedValues(b.sessions)) {
    if (a.FindSession(s->id.value()) == nullptr) started.push_back(SessionJson(*s, b_now));
  }
  for (const domain::Session* s : SortedValues(a.sessions)) {
    if (b.FindSession(s->id.value()) == nullptr) {
      ended.push_back(json::object{{"id", s->id.value()}, {"user", s->user.value()}});
    }
  }
  return {{"started", std::move(started)}, {"ended", std::move(ended)}};
}

json::object LevelJson(const domain::Level& level) {
  json::array caps;
  for (const auto& [c, s] : level.capabilities.Entries()) {
    caps.emplace_back(std::string(domain::CapabilityName(c)) +
                      (s == domain::Scope::kNone ? "" : ":" + std::string(domain::ScopeName(s))));
  }
  return {{"name", level.name}, {"capabilities", std::move(caps)}};
}

}  // namespace

int Diff(const DiffOptions& options, std::ostream& out, std::ostream& err) {
  // Two times with no event between them resolve to the same position: compare the times.
  if (options.from.at_us && options.to.at_us && *options.to.at_us < *options.from.at_us) {
    return Fail(err, "diff", Status::InvalidArgument("--to " + FormatTime(*options.to.at_us) + " is before --from " +
                                                     FormatTime(*options.from.at_us)));
  }
  auto db = OpenLog(options.common);
  if (!db.ok()) return Fail(err, "diff", db.status());
  auto last = (*db)->LastStoredPosition();
  if (!last.ok()) return Fail(err, "diff", last.status());
  auto from = ResolveStoredMoment(**db, options.from, *last);
  if (!from.ok()) return Fail(err, "diff", from.status());
  auto to = ResolveStoredMoment(**db, options.to, *last);
  if (!to.ok()) return Fail(err, "diff", to.status());
  if (to->position < from->position) {
    return Fail(err, "diff", Status::InvalidArgument("--to is before --from"));
  }
  Replayer replayer(**db, ReplayOptions{});
  Status status = FoldWithProgress(replayer, from->position, options.common, err, "diff");
  if (!status.ok()) return Fail(err, "diff", status);
  const domain::AccessState a = replayer.state();
  status = FoldWithProgress(replayer, to->position, options.common, err, "diff");
  if (status.ok()) status = CheckHeadAtEnd(**db, replayer.chain(), *last);
  if (!status.ok()) return Fail(err, "diff", status);
  const domain::AccessState& b = replayer.state();
  const std::int64_t a_now = from->now_us, b_now = to->now_us;

  json::object doc;
  doc["from"] = json::object{{"position", from->position.value()}, {"at", FormatTime(a_now)}};
  doc["to"] = json::object{{"position", to->position.value()}, {"at", FormatTime(b_now)}};
  doc["settings"] = FieldChanges(SettingsJson(a.settings), SettingsJson(b.settings));
  doc["organisations"] = EntityChanges(a.orgs, b.orgs, [&](const domain::Org& o, bool before) {
    return OrgJson(before ? a : b, o);
  });
  doc["levels"] = EntityChanges(a.levels, b.levels, [](const domain::Level& l, bool) { return LevelJson(l); });
  doc["users"] = EntityChanges(a.users, b.users, [&](const domain::User& u, bool before) {
    json::object j = UserJson(before ? a : b, u, before ? a_now : b_now);
    j.erase("sessions");  // sessions are listed below
    return j;
  });
  doc["sessions"] = SessionChanges(a, b, b_now);
  doc["access"] = AccessChanges(a, a_now, b, b_now);
  WriteJson(out, doc, options.common.pretty);
  return kExitOk;
}

int DiffMain(const std::vector<std::string>& args, bool terminal, std::ostream& out, std::ostream& err) {
  CommonArgs common;
  MomentArgs from, to;
  po::options_description desc("diff options");
  common.Add(desc);
  from.Add(desc, "from", "from-position", "the earlier moment (default: the start, position 0)");
  to.Add(desc, "to", "to-position", "the later moment (default: the head)");
  if (auto exit = ParseArgs("diff", "--data-dir DIR --from TIME --to TIME", desc, args, out, err)) return *exit;
  DiffOptions options;
  auto parsed = common.Finish(terminal);
  if (!parsed.ok()) return Fail(err, "diff", parsed.status());
  auto from_spec = from.Finish();
  if (!from_spec.ok()) return Fail(err, "diff", from_spec.status());
  auto to_spec = to.Finish();
  if (!to_spec.ok()) return Fail(err, "diff", to_spec.status());
  options.common = *parsed;
  options.from = *from_spec;
  if (!options.from.at_us && !options.from.position) options.from.position = 0;
  options.to = *to_spec;
  return Diff(options, out, err);
}

}  // namespace portico::replay
