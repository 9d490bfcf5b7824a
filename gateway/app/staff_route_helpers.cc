#include "gateway/app/staff_route_helpers.h"

#include "domain/catalogue.h"
#include "domain/decide.h"
#include "gateway/http/idempotency.h"
#include "projections/event_json.h"

namespace portico::gateway {

using boost::asio::awaitable;

Handler StaffHandler(const AppRouteDeps& deps, Handler inner, ReplyRetention retention,
                     std::string secret_detail) {
  if (deps.idempotency != nullptr) {
    inner = Idempotent(*deps.idempotency, std::move(inner), retention, std::move(secret_detail));
  }
  return RequireStaff(*deps.keys, std::move(inner));
}

CommandActor StaffActor(const RouteContext& context) {
  return CommandActor{schema::ActorKind::Staff, context.actor, {}};
}

std::string IdempotencyKey(const Request& request) {
  auto it = request.find("Idempotency-Key");
  return it == request.end() ? std::string() : std::string(it->value());
}

schema::AccessMode ParseMode(std::string_view s) {
  if (s == "enabled") return schema::AccessMode::Enabled;
  if (s == "restricted") return schema::AccessMode::Restricted;
  return schema::AccessMode::Disabled;
}
schema::OrgKind ParseKind(std::string_view s) {
  return s == "contractor" ? schema::OrgKind::Contractor : schema::OrgKind::Client;
}
schema::UserType ParseUserType(std::string_view s) {
  if (s == "passive") return schema::UserType::Passive;
  if (s == "contractor") return schema::UserType::Contractor;
  return schema::UserType::Active;
}
schema::NoteVisibility ParseVisibility(std::string_view s) {
  if (s == "client") return schema::NoteVisibility::Client;
  if (s == "contractor") return schema::NoteVisibility::Contractor;
  return schema::NoteVisibility::Internal;
}

boost::json::object EventJson(const eventstore::StoredEvent& stored) {
  const auto& env = stored.envelope();
  boost::json::object out;
  out["position"] = stored.position.value();
  out["type"] = schemas::SnakeCaseName(schema::EnumNameEventBody(env.body_type()));
  out["recorded_at"] = env.recorded_at_us();
  out["actor"] = env.actor() && env.actor()->id() ? env.actor()->id()->str() : "";
  out["on_behalf_of"] = env.on_behalf_of() ? env.on_behalf_of()->str() : "";
  out["stream"] = env.stream_id() ? env.stream_id()->str() : "";
  boost::system::error_code ec;
  auto data = boost::json::parse(projections::RenderEventBody(env), ec);
  out["data"] = ec ? boost::json::value(nullptr) : std::move(data);
  return out;
}

boost::json::object LevelJson(const domain::Level& level) {
  boost::json::array caps;
  for (const auto& [capability, scope] : level.capabilities.Entries()) {
    caps.push_back({{"capability", domain::CapabilityName(capability)},
                    {"scope", domain::ScopeName(scope)}});
  }
  boost::json::object out{{"level_id", level.id.value()},
                          {"name", level.name},
                          {"preset", level.preset},
                          {"capabilities", std::move(caps)}};
  if (!level.seed.empty()) out["seed"] = level.seed;
  return out;
}

awaitable<ProblemOr<domain::NewPassword>> PreparePassword(const AppRouteDeps& deps,
                                                          std::string plaintext,
                                                          std::string field) {
  const Status policy = deps.processor->Read([&](const domain::AccessState& state) {
    return domain::CheckPasswordPolicy(state.settings, plaintext);
  });
  if (!policy.ok()) co_return Problem::FromStatus(policy).WithField(field);
  auto hash = co_await OnWorkerPool(*deps.pool, [&plaintext] { return HashPassword(plaintext); });
  if (!hash.ok()) co_return Problem::FromStatus(hash.status());
  co_return domain::NewPassword{std::move(plaintext), std::move(hash).value()};
}

awaitable<Response> SubmitReportingEnded(const AppRouteDeps& deps, domain::Command command,
                                         const Request& request, const RouteContext& context) {
  auto out = co_await deps.processor->SubmitAsync(std::move(command), StaffActor(context),
                                                  IdempotencyKey(request));
  boost::json::object extra;
  if (out.ok()) extra["ended_sessions"] = out->ended_sessions.size();
  co_return CommandReply(out, std::move(extra));
}

Handler SubmitFromPath(const AppRouteDeps* d, PathCommand make) {
  return [d, make = std::move(make)](Request& request, RouteContext& context) -> awaitable<Response> {
    co_return co_await SubmitReportingEnded(*d, make(context), request, context);
  };
}

}  // namespace portico::gateway
