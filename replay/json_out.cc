#include "replay/json_out.h"

#include <string>

#include <boost/json/serialize.hpp>
#include <boost/json/serializer.hpp>

namespace portico::replay {
namespace {

void Pretty(std::ostream& out, const boost::json::value& v, int indent) {
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  const std::string close(static_cast<std::size_t>(indent), ' ');
  if (const auto* obj = v.if_object()) {
    if (obj->empty()) {
      out << "{}";
      return;
    }
    out << "{\n";
    bool first = true;
    for (const auto& kv : *obj) {
      if (!first) out << ",\n";
      first = false;
      out << pad << boost::json::serialize(boost::json::string(kv.key())) << ": ";
      Pretty(out, kv.value(), indent + 2);
    }
    out << '\n' << close << '}';
  } else if (const auto* arr = v.if_array()) {
    if (arr->empty()) {
      out << "[]";
      return;
    }
    out << "[\n";
    bool first = true;
    for (const auto& item : *arr) {
      if (!first) out << ",\n";
      first = false;
      out << pad;
      Pretty(out, item, indent + 2);
    }
    out << '\n' << close << ']';
  } else {
    out << boost::json::serialize(v);
  }
}

// One line, written a buffer at a time: a large document (as-of over a big log) is never
// held as one string on top of its DOM.
void Compact(std::ostream& out, const boost::json::value& value) {
  boost::json::serializer serializer;
  serializer.reset(&value);
  char buffer[64 * 1024];
  while (!serializer.done()) {
    const std::string_view chunk = serializer.read(buffer, sizeof buffer);
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  }
}

}  // namespace

void WriteJson(std::ostream& out, const boost::json::value& value, bool pretty) {
  if (pretty) {
    Pretty(out, value, 0);
  } else {
    Compact(out, value);
  }
  out << '\n';
}

}  // namespace portico::replay
