#include "gateway/http/query.h"

#include <algorithm>
#include <boost/url/param.hpp>
#include <boost/url/parse.hpp>
#include <charconv>

#include "gateway/http/utf8.h"

namespace portico::gateway {

namespace {

// Query strings decode '+' as a space (application/x-www-form-urlencoded).
const boost::urls::encoding_opts kQueryDecoding(/*space_as_plus=*/true);

}  // namespace

QueryReader::QueryReader(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) {
    error_ = Problem::BadRequest("the request target is not a valid URL path and query");
    return;
  }
  for (auto param : url->encoded_params()) {
    if (!Add(param)) return;
  }
}

bool QueryReader::Add(const boost::urls::param_pct_view& param) {
  const auto& encoded_key = param.key;
  // Boost.URL reads "?" alone as one parameter with an empty key, and "a=1&" or "a=1&&b=2" as
  // having empty ones in between: nothing was given there, so they are not parameters.
  if (encoded_key.empty() && !param.has_value) return true;
  if (encoded_key.empty()) {
    error_ = Problem::BadRequest("a query parameter has a value but no name (\"=value\")");
    return false;
  }
  std::string key = encoded_key.decode(kQueryDecoding);
  if (!IsValidUtf8(key)) {
    // The decoded name cannot be echoed; its encoded form is plain ASCII.
    const std::string shown(encoded_key);
    error_ = Problem::BadRequest("query parameter name " + shown + " is not valid UTF-8")
                 .WithField(shown);
    return false;
  }
  std::string value = param.has_value ? param.value.decode(kQueryDecoding) : std::string();
  if (!IsValidUtf8(value)) {
    error_ = Problem::BadRequest("query parameter " + key + " is not valid UTF-8").WithField(key);
    return false;
  }
  params_.push_back({std::move(key), std::move(value)});
  return true;
}

void QueryReader::Fail(std::string_view name, const std::string& what) {
  if (error_) return;
  std::string field(name);
  error_ = Problem::BadRequest("query parameter " + field + " " + what).WithField(field);
}

std::optional<std::string> QueryReader::Take(std::string_view name, bool required) {
  const std::string* value = nullptr;
  int count = 0;
  for (auto& p : params_) {
    if (p.name != name) continue;
    p.read = true;
    value = &p.value;
    ++count;
  }
  if (count > 1) {
    Fail(name, "is given more than once");
    return std::nullopt;
  }
  if (value == nullptr) {
    if (required) Fail(name, "is required");
    return std::nullopt;
  }
  if (!ok()) return std::nullopt;
  return *value;
}

bool QueryReader::Has(std::string_view name) const {
  return std::any_of(params_.begin(), params_.end(),
                     [&](const Param& p) { return p.name == name; });
}

std::optional<std::string> QueryReader::ReadString(std::string_view name, bool required,
                                                   const StringRule& rule) {
  auto value = Take(name, required);
  if (!value) return std::nullopt;
  std::size_t length =
      static_cast<std::size_t>(std::count_if(value->begin(), value->end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      }));
  if (length < rule.min_length || length > rule.max_length) {
    Fail(name, "must be " + std::to_string(rule.min_length) + " to " +
                   std::to_string(rule.max_length) + " characters long");
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> QueryReader::OptionalString(std::string_view name, StringRule rule) {
  return ReadString(name, false, rule);
}

std::string QueryReader::RequiredString(std::string_view name, StringRule rule) {
  return ReadString(name, true, rule).value_or(std::string());
}

std::optional<std::int64_t> QueryReader::OptionalInt(std::string_view name, IntRange range) {
  auto value = Take(name, false);
  if (!value) return std::nullopt;
  std::int64_t n = 0;
  const char* end = value->data() + value->size();
  auto [ptr, ec] = std::from_chars(value->data(), end, n);
  if (value->empty() || ec != std::errc() || ptr != end || n < range.min || n > range.max) {
    Fail(name, "must be an integer from " + std::to_string(range.min) + " to " +
                   std::to_string(range.max));
    return std::nullopt;
  }
  return n;
}

std::optional<std::uint64_t> QueryReader::OptionalUint(std::string_view name, std::uint64_t max) {
  auto value = Take(name, false);
  if (!value) return std::nullopt;
  std::uint64_t n = 0;
  const char* end = value->data() + value->size();
  auto [ptr, ec] = std::from_chars(value->data(), end, n);
  if (value->empty() || ec != std::errc() || ptr != end || n > max) {
    Fail(name, "must be an integer from 0 to " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> QueryReader::OptionalBool(std::string_view name) {
  auto value = Take(name, false);
  if (!value) return std::nullopt;
  if (*value == "true") return true;
  if (*value == "false") return false;
  Fail(name, "must be true or false");
  return std::nullopt;
}

std::optional<std::string> QueryReader::OptionalEnum(
    std::string_view name, std::initializer_list<std::string_view> allowed) {
  auto value = Take(name, false);
  if (!value) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *value) != allowed.end()) return value;
  std::string choices;
  for (auto a : allowed) choices += (choices.empty() ? "" : ", ") + std::string(a);
  Fail(name, "must be one of: " + choices);
  return std::nullopt;
}

std::optional<Problem> QueryReader::Finish() {
  if (error_) return error_;
  for (const auto& p : params_) {
    if (!p.read) {
      Fail(p.name, "is not known here");
      return error_;
    }
  }
  return std::nullopt;
}

}  // namespace portico::gateway
