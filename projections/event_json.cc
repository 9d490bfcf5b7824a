#include "projections/event_json.h"

#include <cstdint>
#include <string_view>

#include "projections/event_fields.h"
#include "schemas/envelope.h"

namespace portico::projections {
namespace {

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

// Writes one JSON object, field by field: a sink for WalkBodyFields (event_fields.h).
class JsonObject {
 public:
  explicit JsonObject(std::string& out) : out_(out) { out_ += '{'; }
  void Close() { out_ += '}'; }

  void Str(std::string_view key, std::string_view value) {
    Key(key);
    AppendString(out_, value);
  }
  void Int(std::string_view key, std::int64_t value) {
    Key(key);
    out_ += std::to_string(value);
  }
  void Time(std::string_view key, std::int64_t us) { Int(key, us); }
  void Bool(std::string_view key, bool value) {
    Key(key);
    out_ += value ? "true" : "false";
  }
  // By its snake_case name, or its number when this build does not know it.
  void Enum(std::string_view key, std::int64_t number, const char* name) {
    if (name == nullptr || *name == '\0') return Int(key, number);
    Str(key, schemas::SnakeCaseName(name));
  }
  void StrList(std::string_view key, const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* list) {
    Key(key);
    out_ += '[';
    for (flatbuffers::uoffset_t i = 0; list != nullptr && i < list->size(); ++i) {
      if (i > 0) out_ += ',';
      const auto* s = list->Get(i);
      AppendString(out_, s == nullptr ? std::string_view() : std::string_view(s->c_str(), s->size()));
    }
    out_ += ']';
  }
  // "password_hash": "redacted" when set, "" when not.
  void Secret(std::string_view what, bool set) { Str(std::string(what) + "_hash", set ? "redacted" : ""); }
  template <typename Item>
  void Objects(std::string_view key, std::size_t n, const Item& item) {
    Key(key);
    out_ += '[';
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) out_ += ',';
      JsonObject entry(out_);
      item(i, entry);
      entry.Close();
    }
    out_ += ']';
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

}  // namespace

std::string RenderEventBody(const schema::Envelope& e) {
  std::string out;
  JsonObject o(out);
  WalkBodyFields(e, FieldDetail::kSummary, o);
  o.Close();
  return out;
}

}  // namespace portico::projections
