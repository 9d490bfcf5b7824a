#include "replay/json_out.h"

#include <charconv>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "replay/time_format.h"

namespace portico::replay {
namespace {

// Buffered bytes are handed to the stream once there are this many.
constexpr std::size_t kFlushBytes = 64 * 1024;

// What follows a backslash for the bytes boost::json::serialize escapes with one letter; 'u'
// for the other control characters (\u00xx), 0 for the bytes copied as they are.
constexpr char EscapeOf(unsigned char c) {
  switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '\b': return 'b';
    case '\t': return 't';
    case '\n': return 'n';
    case '\f': return 'f';
    case '\r': return 'r';
    default: return c < 0x20 ? 'u' : 0;
  }
}

struct EscapeTable {
  char of[256];
  constexpr EscapeTable() : of() {
    for (int c = 0; c < 256; ++c) of[c] = EscapeOf(static_cast<unsigned char>(c));
  }
};
constexpr EscapeTable kEscape;

}  // namespace

JsonWriter::JsonWriter(std::ostream& out, bool pretty) : out_(&out), buffer_(own_buffer_), pretty_(pretty) {}

JsonWriter::JsonWriter(std::string& text, bool pretty) : out_(nullptr), buffer_(text), pretty_(pretty) {}

JsonWriter::~JsonWriter() {
  if (out_ != nullptr && !buffer_.empty()) out_->write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
}

void JsonWriter::FlushIfFull() {
  if (out_ != nullptr && buffer_.size() >= kFlushBytes) {
    out_->write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }
}

void JsonWriter::NewLine(std::size_t depth) {
  buffer_ += '\n';
  buffer_.append(2 * depth, ' ');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (first_.empty()) return;  // the document itself
  // An element of an array.
  if (!first_.back()) buffer_ += ',';
  first_.back() = false;
  if (pretty_) NewLine(first_.size());
}

void JsonWriter::Key(std::string_view key) {
  if (!first_.back()) buffer_ += ',';
  first_.back() = false;
  if (pretty_) NewLine(first_.size());
  Quoted(key);
  if (pretty_) {
    buffer_.append(": ", 2);
  } else {
    buffer_ += ':';
  }
  after_key_ = true;
}

void JsonWriter::Open(char bracket) {
  BeforeValue();
  buffer_ += bracket;
  first_.push_back(true);
}

void JsonWriter::Close(char bracket) {
  const bool empty = first_.back();
  first_.pop_back();
  if (pretty_ && !empty) NewLine(first_.size());
  buffer_ += bracket;
  FlushIfFull();
}

void JsonWriter::BeginObject() { Open('{'); }
void JsonWriter::EndObject() { Close('}'); }
void JsonWriter::BeginArray() { Open('['); }
void JsonWriter::EndArray() { Close(']'); }

void JsonWriter::Quoted(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  buffer_ += '"';
  const char* p = s.data();
  const char* const end = p + s.size();
  while (p != end) {
    const char* run = p;
    while (p != end && kEscape.of[static_cast<unsigned char>(*p)] == 0) ++p;
    buffer_.append(run, static_cast<std::size_t>(p - run));
    if (p == end) break;
    const unsigned char c = static_cast<unsigned char>(*p++);
    const char e = kEscape.of[c];
    buffer_ += '\\';
    if (e != 'u') {
      buffer_ += e;
    } else {
      const char hex[5] = {'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      buffer_.append(hex, 5);
    }
  }
  buffer_ += '"';
}

void JsonWriter::Value(std::string_view s) {
  BeforeValue();
  Quoted(s);
}

void JsonWriter::Value(bool b) {
  BeforeValue();
  if (b) {
    buffer_.append("true", 4);
  } else {
    buffer_.append("false", 5);
  }
}

void JsonWriter::Value(std::nullptr_t) {
  BeforeValue();
  buffer_.append("null", 4);
}

void JsonWriter::Int(std::int64_t n) {
  BeforeValue();
  char digits[24];
  const auto r = std::to_chars(digits, digits + sizeof digits, n);
  buffer_.append(digits, static_cast<std::size_t>(r.ptr - digits));
}

void JsonWriter::Uint(std::uint64_t n) {
  BeforeValue();
  char digits[24];
  const auto r = std::to_chars(digits, digits + sizeof digits, n);
  buffer_.append(digits, static_cast<std::size_t>(r.ptr - digits));
}

void JsonWriter::TimeField(std::string_view key, std::int64_t time_us, bool nullable) {
  Key(key);
  if (nullable && time_us == 0) {
    Value(nullptr);
  } else {
    char text[kFormattedTimeMax];
    Value(std::string_view(text, FormatTime(time_us, text)));
  }
}

void JsonWriter::Value(const boost::json::object& o) {
  BeginObject();
  for (const auto& kv : o) {
    Key(kv.key());
    Value(kv.value());
  }
  EndObject();
}

void JsonWriter::Value(const boost::json::array& a) {
  BeginArray();
  for (const auto& item : a) Value(item);
  EndArray();
}

void JsonWriter::Value(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: Value(nullptr); break;
    case boost::json::kind::bool_: Value(v.get_bool()); break;
    case boost::json::kind::int64: Int(v.get_int64()); break;
    case boost::json::kind::uint64: Uint(v.get_uint64()); break;
    case boost::json::kind::double_:
      BeforeValue();
      buffer_ += boost::json::serialize(v);  // boost's shortest round-trip form
      break;
    case boost::json::kind::string: Value(std::string_view(v.get_string())); break;
    case boost::json::kind::array: Value(v.get_array()); break;
    case boost::json::kind::object: Value(v.get_object()); break;
  }
}

void JsonWriter::Finish() {
  if (out_ == nullptr) return;
  buffer_ += '\n';
  out_->write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  buffer_.clear();
}

void WriteJson(std::ostream& out, const boost::json::value& value, bool pretty) {
  JsonWriter writer(out, pretty);
  writer.Value(value);
  writer.Finish();
}

boost::json::value ToJsonValue(const std::function<void(JsonWriter&)>& write) {
  std::string text;
  {
    JsonWriter writer(text, false);
    write(writer);
  }
  boost::json::parse_options options;
  options.allow_invalid_utf8 = true;  // the strings are the log's bytes, whatever they are
  return boost::json::parse(text, {}, options);
}

boost::json::object ToJsonObject(const std::function<void(JsonWriter&)>& write) {
  return std::move(ToJsonValue(write).as_object());
}

}  // namespace portico::replay
