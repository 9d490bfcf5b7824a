#include "replay/json_out.h"

#include <string>

#include <boost/json/serialize.hpp>

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

}  // namespace

void WriteJson(std::ostream& out, const boost::json::value& value, bool pretty) {
  if (pretty) {
    Pretty(out, value, 0);
  } else {
    out << boost::json::serialize(value);
  }
  out << '\n';
}

}  // namespace portico::replay
