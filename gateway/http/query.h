// Query strings, read declaratively with Boost.URL.
//
// A QueryReader decodes the query of a request target (percent-decoding; '+' is a space) and
// is read like ObjectReader: one call per parameter a route declares, then Finish(), which
// rejects every parameter no call read. Each failure is a 400 problem whose `field` names
// the parameter:
//   - an unknown parameter; a parameter given twice;
//   - an integer that is not plain decimal digits (a leading '-' allowed for signed ones) or
//     lies outside its range; a boolean other than true/false; an enum value outside its set;
//     a string outside its length bounds; a missing required parameter.
// A parameter without '=' ("?flag") has the empty value, which only strings accept. Empty
// pieces ("?" alone, "&&", a trailing "&") are no parameters; a value without a name ("?=5")
// is a 400, and so is a name or value that is not UTF-8 once decoded. The first
// failure wins; after it the calls return nullopt. Check Finish() before using any value:
//
//   QueryReader q(request.target());
//   auto from = q.OptionalUint("from");
//   auto limit = q.OptionalInt("limit", {.min = 1, .max = 1000});
//   if (auto problem = q.Finish()) co_return ProblemResponse(*problem);
//
// Not thread-safe; owns its decoded copy of the query.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/http/json_body.h"
#include "gateway/http/problem.h"

namespace boost::urls {
struct param_pct_view;  // Boost.URL stays private to query.cc
}  // namespace boost::urls

namespace portico::gateway {

class QueryReader {
 public:
  explicit QueryReader(std::string_view target);

  std::optional<std::string> OptionalString(std::string_view name, StringRule rule = {});
  std::string RequiredString(std::string_view name, StringRule rule = {});
  std::optional<std::int64_t> OptionalInt(std::string_view name, IntRange range = {});
  std::optional<std::uint64_t> OptionalUint(
      std::string_view name, std::uint64_t max = std::numeric_limits<std::uint64_t>::max());
  std::optional<bool> OptionalBool(std::string_view name);
  std::optional<std::string> OptionalEnum(std::string_view name,
                                          std::initializer_list<std::string_view> allowed);

  // Whether the query has parameter `name` (does not count as reading it).
  bool Has(std::string_view name) const;

  std::optional<Problem> Finish();
  bool ok() const { return !error_.has_value(); }

 private:
  struct Param {
    std::string name;
    std::string value;
    bool read = false;
  };
  // Records one parameter of the query, or the problem with it (false: stop reading).
  bool Add(const boost::urls::param_pct_view& param);
  // Marks `name` read and returns its value; nullopt when absent (recording "is required"
  // when `required`) or given twice.
  std::optional<std::string> Take(std::string_view name, bool required);
  void Fail(std::string_view name, const std::string& what);
  std::optional<std::string> ReadString(std::string_view name, bool required,
                                        const StringRule& rule);

  std::vector<Param> params_;
  std::optional<Problem> error_;
};

}  // namespace portico::gateway
