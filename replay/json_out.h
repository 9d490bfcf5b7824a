// Writing JSON documents for people and tools: pretty (two-space indent, keys in the order
// they were inserted) or one line per document (JSON lines).
#pragma once

#include <ostream>

#include <boost/json/value.hpp>

namespace portico::replay {

void WriteJson(std::ostream& out, const boost::json::value& value, bool pretty);

}  // namespace portico::replay
