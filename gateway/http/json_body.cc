#include "gateway/http/json_body.h"

#include <algorithm>
#include <boost/json/parser.hpp>
#include <cctype>

namespace portico::gateway {
namespace json = boost::json;

namespace {

std::size_t CodePoints(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string_view TypeName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

std::string Joined(std::initializer_list<std::string_view> items) {
  std::string out;
  for (auto item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

}  // namespace

bool IsJsonContentType(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && std::isspace(static_cast<unsigned char>(media.back()))) {
    media.remove_suffix(1);
  }
  while (!media.empty() && std::isspace(static_cast<unsigned char>(media.front()))) {
    media.remove_prefix(1);
  }
  constexpr std::string_view kJson = "application/json";
  return std::equal(media.begin(), media.end(), kJson.begin(), kJson.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
}

ProblemOr<json::value> ParseJson(std::string_view text, std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    return Problem::PayloadTooLarge("the body is larger than " + std::to_string(max_bytes) +
                                    " bytes");
  }
  json::parse_options options;
  options.max_depth = 32;
  json::parser parser(json::storage_ptr(), options);
  boost::system::error_code ec;
  std::size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec && consumed < text.size()) ec = json::error::extra_data;
  if (ec) {
    return Problem::BadRequest("malformed JSON at offset " + std::to_string(consumed) + ": " +
                               ec.message());
  }
  return parser.release();
}

ProblemOr<json::object> ParseJsonObject(const Request& request, std::size_t max_bytes) {
  auto content_type = request[boost::beast::http::field::content_type];
  if (!IsJsonContentType({content_type.data(), content_type.size()})) {
    return Problem::UnsupportedMediaType("the body must be sent as application/json");
  }
  auto value = ParseJson(request.body(), max_bytes);
  if (!value.ok()) return std::move(value).problem();
  if (!value->is_object()) return Problem::BadRequest("the body must be a JSON object");
  return std::move(value->as_object());
}

ObjectReader::ObjectReader(const json::object& object, std::string path)
    : object_(object), path_(std::move(path)) {}

std::string ObjectReader::FieldPath(std::string_view name) const {
  if (path_.empty()) return std::string(name);
  return path_ + "." + std::string(name);
}

void ObjectReader::Fail(std::string_view name, const std::string& what) {
  if (error_) return;
  std::string field = FieldPath(name);
  error_ = Problem::BadRequest(field + " " + what).WithField(field);
}

const json::value* ObjectReader::Take(std::string_view name, bool required) {
  auto it = object_.find(name);
  if (it != object_.end()) read_.push_back(it->key());
  if (it == object_.end() || it->value().is_null()) {
    if (required) Fail(name, "is required");
    return nullptr;
  }
  return &it->value();
}

std::optional<std::string> ObjectReader::CheckString(const json::value& v, const std::string& name,
                                                     const StringRule& rule) {
  if (!v.is_string()) {
    Fail(name, "must be a string, not " + std::string(TypeName(v)));
    return std::nullopt;
  }
  std::string_view s = v.get_string();
  std::size_t length = CodePoints(s);
  if (length < rule.min_length) {
    Fail(name, "must be at least " + std::to_string(rule.min_length) + " characters long");
    return std::nullopt;
  }
  if (length > rule.max_length) {
    Fail(name, "must be at most " + std::to_string(rule.max_length) + " characters long");
    return std::nullopt;
  }
  return std::string(s);
}

std::optional<std::string> ObjectReader::ReadString(std::string_view name, bool required,
                                                    const StringRule& rule) {
  const json::value* v = Take(name, required);
  if (v == nullptr) return std::nullopt;
  return CheckString(*v, std::string(name), rule);
}

std::optional<bool> ObjectReader::ReadBool(std::string_view name, bool required) {
  const json::value* v = Take(name, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_bool()) {
    Fail(name, "must be a boolean, not " + std::string(TypeName(*v)));
    return std::nullopt;
  }
  return v->get_bool();
}

std::optional<std::int64_t> ObjectReader::ReadInt(std::string_view name, bool required,
                                                  const IntRange& range) {
  const json::value* v = Take(name, required);
  if (v == nullptr) return std::nullopt;
  const std::string bounds =
      "must be an integer from " + std::to_string(range.min) + " to " + std::to_string(range.max);
  if (v->is_int64() && v->get_int64() >= range.min && v->get_int64() <= range.max) {
    return v->get_int64();
  }
  if (v->is_int64() || v->is_uint64() || v->is_double()) {
    Fail(name, bounds);
  } else {
    Fail(name, "must be an integer, not " + std::string(TypeName(*v)));
  }
  return std::nullopt;
}

std::optional<std::string> ObjectReader::ReadEnum(std::string_view name, bool required,
                                                  std::initializer_list<std::string_view> allowed) {
  const json::value* v = Take(name, required);
  if (v == nullptr) return std::nullopt;
  const std::string choices = "must be one of: " + Joined(allowed);
  if (!v->is_string()) {
    Fail(name, choices);
    return std::nullopt;
  }
  std::string_view s = v->get_string();
  if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
    Fail(name, choices);
    return std::nullopt;
  }
  return std::string(s);
}

std::optional<std::vector<std::string>> ObjectReader::ReadStringArray(std::string_view name,
                                                                      bool required,
                                                                      const ArrayRule& rule) {
  const json::value* v = Take(name, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array()) {
    Fail(name, "must be an array of strings, not " + std::string(TypeName(*v)));
    return std::nullopt;
  }
  const json::array& array = v->get_array();
  if (array.size() > rule.max_items) {
    Fail(name, "must have at most " + std::to_string(rule.max_items) + " items");
    return std::nullopt;
  }
  std::vector<std::string> out;
  out.reserve(array.size());
  for (std::size_t i = 0; i < array.size(); ++i) {
    auto item = CheckString(array[i], std::string(name) + "[" + std::to_string(i) + "]", rule.item);
    if (!item) return std::nullopt;
    out.push_back(std::move(*item));
  }
  return out;
}

std::string ObjectReader::RequiredString(std::string_view name, StringRule rule) {
  return ReadString(name, true, rule).value_or(std::string());
}

std::optional<std::string> ObjectReader::OptionalString(std::string_view name, StringRule rule) {
  return ReadString(name, false, rule);
}

bool ObjectReader::RequiredBool(std::string_view name) {
  return ReadBool(name, true).value_or(false);
}

std::optional<bool> ObjectReader::OptionalBool(std::string_view name) {
  return ReadBool(name, false);
}

std::int64_t ObjectReader::RequiredInt(std::string_view name, IntRange range) {
  return ReadInt(name, true, range).value_or(0);
}

std::optional<std::int64_t> ObjectReader::OptionalInt(std::string_view name, IntRange range) {
  return ReadInt(name, false, range);
}

std::string ObjectReader::RequiredEnum(std::string_view name,
                                       std::initializer_list<std::string_view> allowed) {
  return ReadEnum(name, true, allowed).value_or(std::string());
}

std::optional<std::string> ObjectReader::OptionalEnum(
    std::string_view name, std::initializer_list<std::string_view> allowed) {
  return ReadEnum(name, false, allowed);
}

std::vector<std::string> ObjectReader::RequiredStringArray(std::string_view name, ArrayRule rule) {
  return ReadStringArray(name, true, rule).value_or(std::vector<std::string>());
}

std::optional<std::vector<std::string>> ObjectReader::OptionalStringArray(std::string_view name,
                                                                          ArrayRule rule) {
  return ReadStringArray(name, false, rule);
}

std::size_t ObjectReader::ObjectArray(std::string_view name, bool required, std::size_t max_items,
                                      const std::function<void(ObjectReader&)>& read) {
  const json::value* v = Take(name, required);
  if (v == nullptr) return 0;
  if (!v->is_array()) {
    Fail(name, "must be an array of objects, not " + std::string(TypeName(*v)));
    return 0;
  }
  const json::array& array = v->get_array();
  if (array.size() > max_items) {
    Fail(name, "must have at most " + std::to_string(max_items) + " items");
    return 0;
  }
  for (std::size_t i = 0; i < array.size() && ok(); ++i) {
    const std::string item = FieldPath(name) + "[" + std::to_string(i) + "]";
    if (!array[i].is_object()) {
      error_ =
          Problem::BadRequest(item + " must be an object, not " + std::string(TypeName(array[i])))
              .WithField(item);
      break;
    }
    ObjectReader element(array[i].get_object(), item);
    read(element);
    if (auto problem = element.Finish()) error_ = std::move(*problem);
  }
  return array.size();
}

std::optional<Problem> ObjectReader::Finish() {
  if (error_) return error_;
  for (const auto& entry : object_) {
    if (std::find(read_.begin(), read_.end(), entry.key()) == read_.end()) {
      Fail(entry.key(), "is not a known field");
      return error_;
    }
  }
  return std::nullopt;
}

}  // namespace portico::gateway
