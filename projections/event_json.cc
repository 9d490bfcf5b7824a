#include "projections/event_json.h"

#include <cctype>
#include <cstdint>
#include <string_view>

namespace portico::projections {
namespace {

using schema::EventBody;

// The length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
std::size_t Utf8Length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = b(i);
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // the allowed range of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) {
    n = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    n = 3;
    if (lead == 0xe0) lo = 0xa0;  // overlong
    if (lead == 0xed) hi = 0x9f;  // surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    n = 4;
    if (lead == 0xf0) lo = 0x90;  // overlong
    if (lead == 0xf4) hi = 0x8f;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size() || b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xbf) return 0;
  }
  return n;
}

void AppendString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t n = Utf8Length(s, i);
      if (n == 0) {
        out += "\xef\xbf\xbd";  // U+FFFD
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

// "WorkOrder" -> "work_order".
std::string SnakeCase(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (!out.empty()) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

// Writes one JSON object, field by field.
class JsonObject {
 public:
  explicit JsonObject(std::string& out) : out_(out) { out_ += '{'; }
  void Close() { out_ += '}'; }

  JsonObject& Str(std::string_view key, std::string_view value) {
    Key(key);
    AppendString(out_, value);
    return *this;
  }
  JsonObject& Str(std::string_view key, const flatbuffers::String* value) {
    return Str(key, value == nullptr ? std::string_view() : std::string_view(value->c_str(), value->size()));
  }
  // A secret: "redacted" when set, "" when not.
  JsonObject& Secret(std::string_view key, const flatbuffers::String* value) {
    return Str(key, value == nullptr || value->size() == 0 ? "" : "redacted");
  }
  JsonObject& Int(std::string_view key, std::int64_t value) {
    Key(key);
    out_ += std::to_string(value);
    return *this;
  }
  JsonObject& Bool(std::string_view key, bool value) {
    Key(key);
    out_ += value ? "true" : "false";
    return *this;
  }
  // An enum value by its generated name (EnumNameX), or its number when the name is unknown.
  template <typename E>
  JsonObject& Enum(std::string_view key, E value, const char* name) {
    if (name == nullptr || *name == '\0') return Int(key, static_cast<std::int64_t>(value));
    return Str(key, SnakeCase(name));
  }
  JsonObject& StrList(std::string_view key, const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* list) {
    Key(key);
    out_ += '[';
    if (list != nullptr) {
      for (flatbuffers::uoffset_t i = 0; i < list->size(); ++i) {
        if (i > 0) out_ += ',';
        const auto* s = list->Get(i);
        AppendString(out_, s == nullptr ? std::string_view() : std::string_view(s->c_str(), s->size()));
      }
    }
    out_ += ']';
    return *this;
  }
  JsonObject& Capabilities(std::string_view key,
                           const flatbuffers::Vector<flatbuffers::Offset<schema::CapabilityEntry>>* list) {
    Key(key);
    out_ += '[';
    if (list != nullptr) {
      for (flatbuffers::uoffset_t i = 0; i < list->size(); ++i) {
        if (i > 0) out_ += ',';
        JsonObject entry(out_);
        entry.Str("capability", list->Get(i)->capability()).Str("scope", list->Get(i)->scope()).Close();
      }
    }
    out_ += ']';
    return *this;
  }

  // Already-rendered JSON text.
  JsonObject& Raw(std::string_view key, std::string_view json) {
    Key(key);
    out_ += json;
    return *this;
  }

 private:
  void Key(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    AppendString(out_, key);
    out_ += ':';
  }

  std::string& out_;
  bool first_ = true;
};

void Render(JsonObject& o, const schema::ProviderSettingsChanged& b) {
  o.Bool("portal_enabled", b.portal_enabled())
      .Enum("self_registration", b.self_registration(), schema::EnumNameSelfRegistration(b.self_registration()))
      .Int("password_min_length", b.password_min_length())
      .Int("session_idle_minutes", b.session_idle_minutes())
      .Int("session_absolute_hours", b.session_absolute_hours())
      .Int("lockout_threshold", b.lockout_threshold())
      .Int("lockout_minutes", b.lockout_minutes());
}
void Render(JsonObject& o, const schema::OrgRegistered& b) {
  o.Str("org_id", b.org_id()).Str("name", b.name()).Enum("kind", b.kind(), schema::EnumNameOrgKind(b.kind()))
      .Str("parent_org_id", b.parent_org_id());
}
void Render(JsonObject& o, const schema::OrgAccessChanged& b) {
  o.Str("org_id", b.org_id()).Enum("mode", b.mode(), schema::EnumNameAccessMode(b.mode()));
}
void Render(JsonObject& o, const schema::OrgAllowedLevelsSet& b) {
  o.Str("org_id", b.org_id()).StrList("levels", b.levels());
}
void Render(JsonObject& o, const schema::LevelDefined& b) {
  o.Str("level_id", b.level_id()).Str("name", b.name()).Capabilities("capabilities", b.capabilities());
}
void Render(JsonObject& o, const schema::UserCreated& b) {
  o.Str("user_id", b.user_id()).Str("org_id", b.org_id()).Str("username", b.username())
      .Str("display_name", b.display_name()).Str("email", b.email())
      .Enum("user_type", b.user_type(), schema::EnumNameUserType(b.user_type())).Str("level", b.level())
      .Secret("password_hash", b.password_hash()).Bool("must_reset_password", b.must_reset_password());
}
void Render(JsonObject& o, const schema::UserLevelChanged& b) { o.Str("user_id", b.user_id()).Str("level", b.level()); }
void Render(JsonObject& o, const schema::PermissionGranted& b) {
  o.Str("user_id", b.user_id()).Str("capability", b.capability()).Str("scope", b.scope())
      .Int("expires_at_us", b.expires_at_us());
}
void Render(JsonObject& o, const schema::PermissionRevoked& b) {
  o.Str("user_id", b.user_id()).Str("capability", b.capability());
}
void Render(JsonObject& o, const schema::PasswordChanged& b) {
  o.Str("user_id", b.user_id()).Secret("password_hash", b.password_hash())
      .Bool("must_reset_password", b.must_reset_password());
}
void Render(JsonObject& o, const schema::PasswordResetForced& b) { o.Str("user_id", b.user_id()); }
void Render(JsonObject& o, const schema::LoginEnabledChanged& b) {
  o.Str("user_id", b.user_id()).Bool("enabled", b.enabled());
}
void Render(JsonObject& o, const schema::UserArchived& b) { o.Str("user_id", b.user_id()); }
void Render(JsonObject& o, const schema::SessionStarted& b) {  // token_hash: never written
  o.Str("session_id", b.session_id()).Str("user_id", b.user_id()).Str("impersonated_by", b.impersonated_by())
      .Int("idle_timeout_us", b.idle_timeout_us()).Int("absolute_expires_at_us", b.absolute_expires_at_us());
}
void Render(JsonObject& o, const schema::LoginFailed& b) {
  o.Str("user_id", b.user_id()).Enum("reason", b.reason(), schema::EnumNameLoginFailureReason(b.reason()))
      .Int("consecutive_failures", b.consecutive_failures());
  if (b.reason() == schema::LoginFailureReason::UnknownUser) o.Str("username", b.username());
}
void Render(JsonObject& o, const schema::UserLockedOut& b) { o.Str("user_id", b.user_id()).Int("until_us", b.until_us()); }
void Render(JsonObject& o, const schema::SessionEnded& b) {
  o.Str("session_id", b.session_id()).Str("user_id", b.user_id())
      .Enum("reason", b.reason(), schema::EnumNameSessionEndReason(b.reason()));
}
void Render(JsonObject& o, const schema::ResourceUpserted& b) {
  o.Str("resource_id", b.resource_id()).Enum("type", b.type(), schema::EnumNameResourceType(b.type()))
      .Str("org_id", b.org_id()).Str("title", b.title())
      .Enum("status", b.status(), schema::EnumNameResourceStatus(b.status()))
      .Str("contact_user_id", b.contact_user_id()).StrList("assigned_user_ids", b.assigned_user_ids())
      .Str("assigned_org_id", b.assigned_org_id());
}
void Render(JsonObject& o, const schema::NoteShared& b) {
  o.Str("note_id", b.note_id()).Str("resource_id", b.resource_id()).Str("body", b.body())
      .Enum("visibility", b.visibility(), schema::EnumNameNoteVisibility(b.visibility()))
      .Str("author_user_id", b.author_user_id());
}
void Render(JsonObject& o, const schema::NoteVisibilityChanged& b) {
  o.Str("note_id", b.note_id()).Enum("visibility", b.visibility(), schema::EnumNameNoteVisibility(b.visibility()));
}

// -- Portal workflows (workflow_events.fbs) --
void Render(JsonObject& o, const schema::RegistrationCodeSet& b) {  // the code's hash: only whether set
  o.Str("org_id", b.org_id()).Bool("code_set", b.code_hash() != nullptr && b.code_hash()->size() > 0)
      .Str("level", b.level());
}
void Render(JsonObject& o, const schema::RegistrationRequested& b) {
  o.Str("user_id", b.user_id()).Str("org_id", b.org_id()).Str("username", b.username())
      .Str("display_name", b.display_name()).Str("email", b.email()).Str("level", b.level())
      .Secret("password_hash", b.password_hash());
}
void Render(JsonObject& o, const schema::RegistrationDecided& b) {
  o.Str("user_id", b.user_id()).Bool("approved", b.approved()).Str("reason", b.reason());
}
void Render(JsonObject& o, const schema::ImportRowsRecorded& b) {  // the rows: GET /v1/imports/{id}
  o.Str("import_id", b.import_id()).Int("accepted_rows", b.accepted() ? b.accepted()->size() : 0)
      .Int("rejected_rows", b.rejected() ? b.rejected()->size() : 0);
}
void Render(JsonObject& o, const schema::UsersImported& b) {
  o.Str("import_id", b.import_id()).Str("org_id", b.org_id()).Str("file_name", b.file_name())
      .Int("rows_total", b.rows_total()).Int("created", b.created()).Int("rejected", b.rejected())
      .Int("without_password", b.without_password()).Str("file_hash", b.file_hash());
}
void Render(JsonObject& o, const schema::PortalRequestSubmitted& b) {
  o.Str("request_id", b.request_id()).Enum("kind", b.kind(), schema::EnumNamePortalRequestKind(b.kind()))
      .Str("user_id", b.user_id()).Str("org_id", b.org_id()).Str("title", b.title())
      .Str("description", b.description());
}
void Render(JsonObject& o, const schema::EstimateApproved& b) {
  o.Str("resource_id", b.resource_id()).Str("user_id", b.user_id()).Str("comment", b.comment());
}
void Render(JsonObject& o, const schema::PaymentIntentRecorded& b) {
  o.Str("intent_id", b.intent_id()).Str("resource_id", b.resource_id()).Str("user_id", b.user_id())
      .Int("amount_cents", b.amount_cents()).Str("currency", b.currency()).Str("method", b.method());
}
void Render(JsonObject& o, const schema::ContactDetailsUpdated& b) {
  o.Str("user_id", b.user_id()).Str("display_name", b.display_name()).Str("email", b.email()).Str("phone", b.phone())
      .Str("previous_email", b.previous_email());
}

// Issue 6 (schemas/alert_events.fbs). Reset token hashes are left out, as session ones are.
void Subscriptions(JsonObject& o, const flatbuffers::Vector<flatbuffers::Offset<schema::AlertSubscription>>* list) {
  std::string items = "[";
  for (flatbuffers::uoffset_t i = 0; list != nullptr && i < list->size(); ++i) {
    if (i > 0) items += ',';
    JsonObject item(items);
    item.Str("kind", list->Get(i)->kind()).Bool("in_portal", list->Get(i)->in_portal())
        .Bool("email", list->Get(i)->email());
    item.Close();
  }
  o.Raw("subscriptions", items + "]");
}
void Render(JsonObject& o, const schema::AlertSetDefined& b) {
  o.Str("alert_set_id", b.alert_set_id()).Str("name", b.name());
  Subscriptions(o, b.subscriptions());
}
void Render(JsonObject& o, const schema::UserAlertSetsAssigned& b) {
  o.Str("user_id", b.user_id()).StrList("alert_set_ids", b.alert_set_ids());
}
void Render(JsonObject& o, const schema::AlertSubscriptionsSet& b) {
  o.Str("user_id", b.user_id());
  Subscriptions(o, b.subscriptions());
}
void Render(JsonObject& o, const schema::AlertsMarkedRead& b) {
  o.Str("user_id", b.user_id()).StrList("alert_ids", b.alert_ids());
}
void Render(JsonObject& o, const schema::PasswordResetRequested& b) {
  o.Str("user_id", b.user_id()).Int("expires_at_us", b.expires_at_us());
}
void Render(JsonObject& o, const schema::PasswordResetCompleted& b) { o.Str("user_id", b.user_id()); }
void Render(JsonObject& o, const schema::LoginDetailsSent& b) {
  o.Str("user_id", b.user_id()).Str("email", b.email());
}

}  // namespace

std::string RenderEventBody(const schema::Envelope& e) {
  std::string out;
  JsonObject o(out);
  if (e.body() != nullptr) {
    switch (e.body_type()) {
#define PORTICO_RENDER(T) \
  case EventBody::T: Render(o, *e.body_as_##T()); break;
      PORTICO_RENDER(ProviderSettingsChanged)
      PORTICO_RENDER(OrgRegistered)
      PORTICO_RENDER(OrgAccessChanged)
      PORTICO_RENDER(OrgAllowedLevelsSet)
      PORTICO_RENDER(LevelDefined)
      PORTICO_RENDER(UserCreated)
      PORTICO_RENDER(UserLevelChanged)
      PORTICO_RENDER(PermissionGranted)
      PORTICO_RENDER(PermissionRevoked)
      PORTICO_RENDER(PasswordChanged)
      PORTICO_RENDER(PasswordResetForced)
      PORTICO_RENDER(LoginEnabledChanged)
      PORTICO_RENDER(UserArchived)
      PORTICO_RENDER(SessionStarted)
      PORTICO_RENDER(LoginFailed)
      PORTICO_RENDER(UserLockedOut)
      PORTICO_RENDER(SessionEnded)
      PORTICO_RENDER(ResourceUpserted)
      PORTICO_RENDER(NoteShared)
      PORTICO_RENDER(NoteVisibilityChanged)
      PORTICO_RENDER(RegistrationCodeSet)
      PORTICO_RENDER(RegistrationRequested)
      PORTICO_RENDER(RegistrationDecided)
      PORTICO_RENDER(ImportRowsRecorded)
      PORTICO_RENDER(UsersImported)
      PORTICO_RENDER(PortalRequestSubmitted)
      PORTICO_RENDER(EstimateApproved)
      PORTICO_RENDER(PaymentIntentRecorded)
      PORTICO_RENDER(ContactDetailsUpdated)
      PORTICO_RENDER(AlertSetDefined)
      PORTICO_RENDER(UserAlertSetsAssigned)
      PORTICO_RENDER(AlertSubscriptionsSet)
      PORTICO_RENDER(AlertsMarkedRead)
      PORTICO_RENDER(PasswordResetRequested)
      PORTICO_RENDER(PasswordResetCompleted)
      PORTICO_RENDER(LoginDetailsSent)
#undef PORTICO_RENDER
      default: break;  // NONE or newer than this build: an empty object
    }
  }
  o.Close();
  return out;
}

}  // namespace portico::projections
