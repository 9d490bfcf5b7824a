// Writing JSON documents for people and tools: pretty (two-space indent, `"key": value`, keys
// in the order they were written, `{}`/`[]` when empty) or one line per document (JSON lines,
// byte for byte what boost::json::serialize prints).
//
// JsonWriter writes a document token by token straight to an ostream, through a buffer of its
// own: a large answer (as-of over a big log, tens of MB) is never held as a DOM nor as one
// string. Strings are escaped as boost::json::serialize does (`"`, `\`, and control characters:
// \b \t \n \f \r or \u00xx); other bytes are copied as they are. WriteJson formats a DOM the
// same way, so both paths print identical bytes.
//
// Usage: BeginObject, then Key + a value (or Field) per member, EndObject; BeginArray, values,
// EndArray; Finish once the document is complete (a newline, then flush). The caller keeps the
// nesting right; the writer does not check it. Not thread-safe; `out` must outlive the writer.
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace portico::replay {

class JsonWriter {
 public:
  JsonWriter(std::ostream& out, bool pretty);
  // Writes into `text` instead of a stream (compact or pretty); Finish adds no newline.
  JsonWriter(std::string& text, bool pretty);
  ~JsonWriter();  // flushes what is buffered
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);

  void Value(std::string_view s);
  void Value(const char* s) { Value(std::string_view(s)); }
  void Value(const std::string& s) { Value(std::string_view(s)); }
  void Value(bool b);
  void Value(std::nullptr_t);
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  void Value(T n) {
    if constexpr (std::is_signed_v<T>) {
      Int(static_cast<std::int64_t>(n));
    } else {
      Uint(static_cast<std::uint64_t>(n));
    }
  }
  void Value(const boost::json::value& v);
  void Value(const boost::json::object& o);
  void Value(const boost::json::array& a);

  template <typename T>
  void Field(std::string_view key, const T& value) {
    Key(key);
    Value(value);
  }
  // An RFC 3339 time (time_format.h), or null when `nullable` and time_us is 0.
  void TimeField(std::string_view key, std::int64_t time_us, bool nullable = false);

  // Ends the document: a newline after it (not in text mode), and everything flushed.
  void Finish();

 private:
  void Int(std::int64_t n);
  void Uint(std::uint64_t n);
  void BeforeValue();    // the separator and indent a value needs where it stands
  void Open(char bracket);
  void Close(char bracket);
  void NewLine(std::size_t depth);
  void Quoted(std::string_view s);
  void FlushIfFull();

  std::ostream* out_;       // nullptr in text mode
  std::string own_buffer_;  // the buffer in stream mode
  std::string& buffer_;     // own_buffer_, or the caller's text
  bool pretty_;
  bool after_key_ = false;
  std::vector<bool> first_;  // per open container: nothing written in it yet
};

void WriteJson(std::ostream& out, const boost::json::value& value, bool pretty);

// What `write` writes, as a DOM: for callers that compare or combine parts (diff, the tests).
boost::json::value ToJsonValue(const std::function<void(JsonWriter&)>& write);
// Same, for a `write` that writes one object.
boost::json::object ToJsonObject(const std::function<void(JsonWriter&)>& write);

}  // namespace portico::replay
