#include "replay/event_json.h"

#include <boost/json/serialize.hpp>

#include "projections/event_fields.h"
#include "replay/time_format.h"
#include "schemas/visit_body.h"

namespace portico::replay {
namespace {

namespace json = boost::json;

std::string Str(const flatbuffers::String* s) { return s == nullptr ? std::string() : s->str(); }

json::array Strings(const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* v) {
  json::array out;
  if (v != nullptr) {
    for (const auto* s : *v) out.emplace_back(Str(s));
  }
  return out;
}

std::string Hex(const schema::Hash256* h) {
  const schemas::Hash hash = schemas::ToHash(h);
  return schemas::HexEncode(hash);
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// Builds the body's object: a sink for projections::WalkBodyFields (event_fields.h). Times
// also get their RFC 3339 twin ("until_us" -> "until"), and a password hash shows only as
// "password_set".
class BodyFields {
 public:
  explicit BodyFields(json::object& out) : out_(out) {}

  void Str(std::string_view key, std::string_view value) { out_[key] = value; }
  void Int(std::string_view key, std::int64_t value) { out_[key] = value; }
  void Time(std::string_view key, std::int64_t us) {
    out_[key] = us;
    if (us != 0 && key.ends_with("_us")) out_[key.substr(0, key.size() - 3)] = FormatTime(us);
  }
  void Bool(std::string_view key, bool value) { out_[key] = value; }
  // By its snake_case name, or its number when this build does not know it.
  void Enum(std::string_view key, std::int64_t number, const char* name) {
    if (name == nullptr || *name == '\0') {
      out_[key] = number;
    } else {
      out_[key] = schemas::SnakeCaseName(name);
    }
  }
  void StrList(std::string_view key, const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* list) {
    out_[key] = Strings(list);
  }
  void Secret(std::string_view what, bool set) { out_[std::string(what) + "_set"] = set; }
  template <typename Item>
  void Objects(std::string_view key, std::size_t n, const Item& item) {
    json::array list;
    list.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      json::object entry;
      BodyFields fields(entry);
      item(i, fields);
      list.emplace_back(std::move(entry));
    }
    out_[key] = std::move(list);
  }

 private:
  json::object& out_;
};

std::string Describe(const schema::ProviderSettingsChanged& e) {
  return std::string("provider settings changed: portal ") + (e.portal_enabled() ? "enabled" : "disabled") +
         " for everyone";
}
std::string Describe(const schema::OrgRegistered& e) {
  std::string out = schemas::SnakeCaseName(schema::EnumNameOrgKind(e.kind())) + " organisation " + Quote(Str(e.org_id())) +
                    " registered (access disabled)";
  if (e.parent_org_id() != nullptr && e.parent_org_id()->size() > 0) out += " under " + Quote(Str(e.parent_org_id()));
  return out;
}
std::string Describe(const schema::OrgAccessChanged& e) {
  return "organisation " + Quote(Str(e.org_id())) + " access " + schemas::SnakeCaseName(schema::EnumNameAccessMode(e.mode()));
}
std::string Describe(const schema::OrgAllowedLevelsSet& e) {
  std::string levels;
  if (e.levels() != nullptr) {
    for (const auto* l : *e.levels()) levels += (levels.empty() ? "" : ", ") + Str(l);
  }
  return "organisation " + Quote(Str(e.org_id())) + " may hand out levels: " + (levels.empty() ? "any" : levels);
}
std::string Describe(const schema::LevelDefined& e) { return "level " + Quote(Str(e.level_id())) + " defined"; }
std::string Describe(const schema::UserCreated& e) {
  return "user " + Quote(Str(e.user_id())) + " created in organisation " + Quote(Str(e.org_id())) + " with level " +
         Quote(Str(e.level()));
}
std::string Describe(const schema::UserLevelChanged& e) {
  return "user " + Quote(Str(e.user_id())) + " moved to level " + Quote(Str(e.level()));
}
std::string Describe(const schema::PermissionGranted& e) {
  std::string out = "user " + Quote(Str(e.user_id())) + " granted " + Quote(Str(e.capability()));
  if (e.scope() != nullptr && e.scope()->size() > 0) out += " (" + Str(e.scope()) + ")";
  if (e.expires_at_us() != 0) out += " until " + FormatTime(e.expires_at_us());
  return out;
}
std::string Describe(const schema::PermissionRevoked& e) {
  return "user " + Quote(Str(e.user_id())) + " revoked " + Quote(Str(e.capability()));
}
std::string Describe(const schema::PasswordChanged& e) { return "user " + Quote(Str(e.user_id())) + " password changed"; }
std::string Describe(const schema::PasswordResetForced& e) {
  return "user " + Quote(Str(e.user_id())) + " must reset password";
}
std::string Describe(const schema::LoginEnabledChanged& e) {
  return "user " + Quote(Str(e.user_id())) + (e.enabled() ? " may log in" : " may no longer log in");
}
std::string Describe(const schema::UserArchived& e) { return "user " + Quote(Str(e.user_id())) + " archived"; }
std::string Describe(const schema::SessionStarted& e) {
  std::string out = "user " + Quote(Str(e.user_id())) + " session " + Quote(Str(e.session_id())) + " started";
  if (e.impersonated_by() != nullptr && e.impersonated_by()->size() > 0) {
    out += " by staff " + Quote(Str(e.impersonated_by())) + " (log in as client)";
  }
  return out;
}
std::string Describe(const schema::LoginFailed& e) {
  if (e.reason() == schema::LoginFailureReason::UnknownUser) {
    return "login failed for unknown user name " + Quote(Str(e.username()));
  }
  return "user " + Quote(Str(e.user_id())) + " login failed (" +
         schemas::SnakeCaseName(schema::EnumNameLoginFailureReason(e.reason())) + ")";
}
std::string Describe(const schema::UserLockedOut& e) {
  return "user " + Quote(Str(e.user_id())) + " locked out until " + FormatTime(e.until_us());
}
std::string Describe(const schema::SessionEnded& e) {
  return "user " + Quote(Str(e.user_id())) + " session " + Quote(Str(e.session_id())) + " ended (" +
         schemas::SnakeCaseName(schema::EnumNameSessionEndReason(e.reason())) + ")";
}
std::string Describe(const schema::ResourceUpserted& e) {
  return schemas::SnakeCaseName(schema::EnumNameResourceType(e.type())) + " " + Quote(Str(e.resource_id())) +
         " of organisation " + Quote(Str(e.org_id())) + " recorded (" +
         schemas::SnakeCaseName(schema::EnumNameResourceStatus(e.status())) + ")";
}
std::string Describe(const schema::NoteShared& e) {
  return "note " + Quote(Str(e.note_id())) + " shared on " + Quote(Str(e.resource_id())) + " (" +
         schemas::SnakeCaseName(schema::EnumNameNoteVisibility(e.visibility())) + ")";
}
std::string Describe(const schema::NoteVisibilityChanged& e) {
  return "note " + Quote(Str(e.note_id())) + " visibility " + schemas::SnakeCaseName(schema::EnumNameNoteVisibility(e.visibility()));
}
std::string Describe(const schema::AlertSetDefined& e) { return "alert set " + Quote(Str(e.alert_set_id())) + " defined"; }
std::string Describe(const schema::UserAlertSetsAssigned& e) {
  return "alert sets of user " + Quote(Str(e.user_id())) + " set";
}
std::string Describe(const schema::AlertSubscriptionsSet& e) {
  return "user " + Quote(Str(e.user_id())) + " changed its alert subscriptions";
}
std::string Describe(const schema::AlertsMarkedRead& e) { return "user " + Quote(Str(e.user_id())) + " read alerts"; }
std::string Describe(const schema::PasswordResetRequested& e) {
  return "password reset requested for user " + Quote(Str(e.user_id()));
}
std::string Describe(const schema::PasswordResetCompleted& e) {
  return "password of user " + Quote(Str(e.user_id())) + " reset with a reset link";
}
std::string Describe(const schema::LoginDetailsSent& e) {
  return "login details sent to user " + Quote(Str(e.user_id()));
}

std::string Describe(const schema::RegistrationCodeSet& e) {
  const bool set = e.code_hash() != nullptr && e.code_hash()->size() > 0;
  return "organisation " + Quote(Str(e.org_id())) + (set ? " registration code set (level " + Quote(Str(e.level())) + ")"
                                                         : " registration code removed");
}
std::string Describe(const schema::RegistrationRequested& e) {
  return "registration " + Quote(Str(e.user_id())) + " requested for organisation " + Quote(Str(e.org_id())) +
         " as " + Quote(Str(e.username()));
}
std::string Describe(const schema::RegistrationDecided& e) {
  return "registration " + Quote(Str(e.user_id())) + (e.approved() ? " approved" : " rejected");
}
std::string Describe(const schema::ImportRowsRecorded& e) {
  return "import " + Quote(Str(e.import_id())) + " rows recorded: " +
         std::to_string(e.accepted() ? e.accepted()->size() : 0) + " accepted, " +
         std::to_string(e.rejected() ? e.rejected()->size() : 0) + " rejected";
}
std::string Describe(const schema::UsersImported& e) {
  return "import " + Quote(Str(e.import_id())) + " into organisation " + Quote(Str(e.org_id())) + ": " +
         std::to_string(e.created()) + " users created, " + std::to_string(e.rejected()) + " rows rejected";
}
std::string Describe(const schema::PortalRequestSubmitted& e) {
  return "user " + Quote(Str(e.user_id())) + " submitted " + schemas::SnakeCaseName(schema::EnumNamePortalRequestKind(e.kind())) +
         " " + Quote(Str(e.request_id()));
}
std::string Describe(const schema::EstimateApproved& e) {
  return "user " + Quote(Str(e.user_id())) + " approved estimate " + Quote(Str(e.resource_id()));
}
std::string Describe(const schema::PaymentIntentRecorded& e) {
  return "user " + Quote(Str(e.user_id())) + " recorded payment intent " + Quote(Str(e.intent_id())) + " on " +
         Quote(Str(e.resource_id()));
}
std::string Describe(const schema::ContactDetailsUpdated& e) {
  return "user " + Quote(Str(e.user_id())) + " updated contact details";
}

void CsvField(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string FieldText(const json::value* v) {
  if (v == nullptr || v->is_null()) return {};
  if (const auto* s = v->if_string()) return std::string(*s);
  return json::serialize(*v);
}

constexpr std::string_view kCsvColumns[] = {
    "position",    "recorded_at",    "recorded_at_us",  "event_id",       "stream",    "stream_version",
    "type",        "actor_kind",     "actor_id",        "on_behalf_of",   "correlation_id",
    "causation_id", "idempotency_key", "schema_version", "prev_hash",     "hash",      "body"};

}  // namespace

boost::json::object BodyJson(const schema::Envelope& envelope) {
  json::object out;
  BodyFields fields(out);
  projections::WalkBodyFields(envelope, projections::FieldDetail::kFull, fields);
  return out;
}

boost::json::object EventJson(const schema::Envelope& e) {
  const auto* event_id = e.event_id();
  json::object actor;
  actor["kind"] = e.actor() != nullptr ? schemas::SnakeCaseName(schema::EnumNameActorKind(e.actor()->kind())) : "system";
  actor["id"] = e.actor() != nullptr ? Str(e.actor()->id()) : "";
  json::object out;
  out["position"] = e.position();
  out["recorded_at"] = FormatTime(e.recorded_at_us());
  out["recorded_at_us"] = e.recorded_at_us();
  out["event_id"] = event_id != nullptr ? schemas::HexEncode(event_id->bytes()->Data(), 16) : "";
  out["stream"] = Str(e.stream_id());
  out["stream_version"] = e.stream_version();
  out["type"] = std::string(schemas::EventTypeName(e.body_type()));
  out["actor"] = std::move(actor);
  out["on_behalf_of"] = Str(e.on_behalf_of());
  out["correlation_id"] = Str(e.correlation_id());
  out["causation_id"] = Str(e.causation_id());
  out["idempotency_key"] = Str(e.idempotency_key());
  out["schema_version"] = e.schema_version();
  out["prev_hash"] = Hex(e.prev_hash());
  out["hash"] = Hex(e.hash());
  out["body"] = BodyJson(e);
  return out;
}

std::string DescribeEvent(const schema::Envelope& envelope) {
  std::string out;
  if (!schemas::VisitBody(envelope, [&out](const auto& body) { out = Describe(body); })) {
    out = std::string(schemas::EventTypeName(envelope.body_type()));
  }
  return out;
}

std::string CsvHeader() {
  std::string out;
  for (std::string_view column : kCsvColumns) {
    if (!out.empty()) out += ',';
    out += column;
  }
  return out + "\r\n";
}

std::string CsvRow(const boost::json::object& record) {
  std::string out;
  const json::object* actor = record.contains("actor") ? record.at("actor").if_object() : nullptr;
  bool first = true;
  for (std::string_view column : kCsvColumns) {
    if (!first) out += ',';
    first = false;
    const json::value* v = nullptr;
    if (column == "actor_kind" || column == "actor_id") {
      v = actor != nullptr ? actor->if_contains(column.substr(6)) : nullptr;
    } else {
      v = record.if_contains(column);
    }
    CsvField(out, FieldText(v));
  }
  return out + "\r\n";
}

}  // namespace portico::replay
