// Strict JSON request bodies.
//
// ParseJsonObject accepts a body only when
//   - Content-Type is application/json (parameters such as charset=utf-8 allowed; the media
//     type is case-insensitive); otherwise 415 Unsupported Media Type. 415 rather than 400
//     because the body may be fine, only labelled wrong;
//   - it is at most max_bytes long; otherwise 413;
//   - it is one well-formed JSON text (valid UTF-8, nesting depth at most 32, nothing after
//     it); otherwise 400 "malformed JSON at offset N: <reason>";
//   - it is an object; otherwise 400.
//
// ObjectReader then reads that object declaratively: one call per field, naming it, saying
// whether it is required and what type and bounds it has; Finish() rejects every field that
// was not read. The first failure wins and becomes a 400 problem whose `field` names the
// field ("levels", or "capabilities[2].scope" inside object arrays):
//   - a missing required field ("is required"), a wrong JSON type, a string outside its
//     length bounds (counted in Unicode code points), an integer outside its range (floats
//     are not integers), a value outside an enum's set, an array too long;
//   - an unknown field.
// `null` counts as absent: accepted for optional fields (std::nullopt), rejected for required
// ones. After a failure the remaining calls return empty values; check Finish() before using
// any of them:
//
//   ObjectReader r(*body);
//   auto org_id = r.RequiredString("org_id", {.max_length = 64});
//   auto kind = r.RequiredEnum("kind", {"client", "contractor"});
//   auto parent = r.OptionalString("parent_org_id", {.max_length = 64});
//   if (auto problem = r.Finish()) co_return ProblemResponse(*problem);
//
// An ObjectReader borrows the object, which must outlive it. Not thread-safe; cheap.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/http/problem.h"
#include "gateway/http/router.h"
#include "gateway/http/types.h"

namespace portico::gateway {

// The JSON body of `request` as an object (see above).
ProblemOr<boost::json::object> ParseJsonObject(const Request& request,
                                               std::size_t max_bytes = kDefaultBodyLimit);

// The pure core of ParseJsonObject: `text` as one JSON value, or a 413/400 problem.
ProblemOr<boost::json::value> ParseJson(std::string_view text, std::size_t max_bytes);

// True when `content_type` names application/json (ignoring parameters and case).
bool IsJsonContentType(std::string_view content_type);

struct StringRule {
  std::size_t min_length = 0;
  std::size_t max_length = 256;  // code points
};

struct IntRange {
  std::int64_t min = std::numeric_limits<std::int64_t>::min();
  std::int64_t max = std::numeric_limits<std::int64_t>::max();
};

struct ArrayRule {
  std::size_t max_items = 100;
  StringRule item;  // for string arrays
};

class ObjectReader {
 public:
  // `path` prefixes field names in problems; nested readers get "name[i]".
  explicit ObjectReader(const boost::json::object& object, std::string path = {});

  std::string RequiredString(std::string_view name, StringRule rule = {});
  std::optional<std::string> OptionalString(std::string_view name, StringRule rule = {});

  bool RequiredBool(std::string_view name);
  std::optional<bool> OptionalBool(std::string_view name);

  std::int64_t RequiredInt(std::string_view name, IntRange range = {});
  std::optional<std::int64_t> OptionalInt(std::string_view name, IntRange range = {});

  std::string RequiredEnum(std::string_view name, std::initializer_list<std::string_view> allowed);
  std::optional<std::string> OptionalEnum(std::string_view name,
                                          std::initializer_list<std::string_view> allowed);

  std::vector<std::string> RequiredStringArray(std::string_view name, ArrayRule rule = {});
  std::optional<std::vector<std::string>> OptionalStringArray(std::string_view name,
                                                              ArrayRule rule = {});

  // An array of objects: `read` is called with a reader for each element in order; the
  // element reader is finished (unknown fields rejected) after `read` returns. Returns the
  // number of elements (0 when absent and optional).
  std::size_t ObjectArray(std::string_view name, bool required, std::size_t max_items,
                          const std::function<void(ObjectReader&)>& read);

  // The first failure, or the first field of the object that no call read. Call once, last.
  std::optional<Problem> Finish();

  bool ok() const { return !error_.has_value(); }

 private:
  // Marks `name` read and returns its value; null when absent or JSON null. Records
  // "is required" when absent and `required`.
  const boost::json::value* Take(std::string_view name, bool required);
  void Fail(std::string_view name, const std::string& what);
  std::string FieldPath(std::string_view name) const;
  // The checked value of field `name`, or nullopt when absent or failed.
  std::optional<std::string> ReadString(std::string_view name, bool required,
                                        const StringRule& rule);
  std::optional<std::string> CheckString(const boost::json::value& v, const std::string& name,
                                         const StringRule& rule);
  std::optional<bool> ReadBool(std::string_view name, bool required);
  std::optional<std::int64_t> ReadInt(std::string_view name, bool required, const IntRange& range);
  std::optional<std::string> ReadEnum(std::string_view name, bool required,
                                      std::initializer_list<std::string_view> allowed);
  std::optional<std::vector<std::string>> ReadStringArray(std::string_view name, bool required,
                                                          const ArrayRule& rule);

  const boost::json::object& object_;
  std::string path_;
  std::vector<std::string_view> read_;  // names already read (views into the object's keys)
  std::optional<Problem> error_;
};

}  // namespace portico::gateway
