// The access state at a moment as one JSON document (the answer of as-of): provider settings;
// organisations with their own and effective access modes; custom levels; users with their
// levels, grants (expired ones marked), revocations, effective capabilities and whether they
// may use the portal; active sessions; resources and notes (without note bodies).
// Every list is sorted by id. Password and token hashes never appear.
//
// Written straight to a JsonWriter (json_out.h): at a million events the answer is tens of MB,
// and building it as a DOM first cost more than folding the log. The *Json forms are the same
// parts as DOMs (parsed back from what the writer writes), for diff's field-by-field compare.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "domain/state.h"
#include "replay/json_out.h"

namespace portico::replay {

// The members "settings", "organisations", "levels", "users", "sessions", "resources" and
// "notes", into the object `writer` has open.
void WriteStateMembers(JsonWriter& writer, const domain::AccessState& state, std::int64_t now_us);

// The parts, each one object (also used by diff).
void WriteSettings(JsonWriter& writer, const domain::Settings& settings);
void WriteOrg(JsonWriter& writer, const domain::AccessState& state, const domain::Org& org);
void WriteUser(JsonWriter& writer, const domain::AccessState& state, const domain::User& user, std::int64_t now_us);
void WriteSession(JsonWriter& writer, const domain::Session& session, std::int64_t now_us);

// The state as one compact object (the members above), as text.
std::string StateText(const domain::AccessState& state, std::int64_t now_us);

boost::json::object SettingsJson(const domain::Settings& settings);
boost::json::object OrgJson(const domain::AccessState& state, const domain::Org& org);
boost::json::object UserJson(const domain::AccessState& state, const domain::User& user, std::int64_t now_us);
boost::json::object SessionJson(const domain::Session& session, std::int64_t now_us);

namespace detail {
// The values of (key, value) pairs, sorted by key. The keys are copies: ids fit a string's
// inline buffer, so the sort compares within this vector instead of reaching into the map's
// nodes each time.
template <typename V>
std::vector<const V*> SortedByKey(std::vector<std::pair<std::string, const V*>> items) {
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const V*> out;
  out.reserve(items.size());
  for (const auto& item : items) out.push_back(item.second);
  return out;
}
}  // namespace detail

// The values of a StringMap, sorted by key.
template <typename V>
std::vector<const V*> SortedValues(const domain::StringMap<V>& map) {
  std::vector<std::pair<std::string, const V*>> items;
  items.reserve(map.size());
  for (const auto& [k, v] : map) items.emplace_back(k, &v);
  return detail::SortedByKey(std::move(items));
}

// The entities of an EntityMap, sorted by id.
template <typename V>
std::vector<const V*> SortedValues(const domain::EntityMap<V>& map) {
  std::vector<std::pair<std::string, const V*>> items;
  items.reserve(map.size());
  for (const V& v : map) items.emplace_back(v.id.value(), &v);
  return detail::SortedByKey(std::move(items));
}

}  // namespace portico::replay
