#include "domain/presets.h"

#include <cstdlib>
#include <string>
#include <unordered_map>

#include "domain/validate.h"

namespace portico::domain {
namespace {

std::string_view Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

// Splits "word rest" into ("word", "rest"), both trimmed.
std::pair<std::string_view, std::string_view> SplitWord(std::string_view s) {
  const auto space = s.find_first_of(" \t");
  if (space == std::string_view::npos) return {s, {}};
  return {s.substr(0, space), Trim(s.substr(space + 1))};
}

Status LineError(std::size_t line, std::string_view what) {
  return Status::InvalidArgument("presets line " + std::to_string(line) + ": " + std::string(what));
}

Status CheckComplete(const Level& level) {
  if (level.name.empty()) return Status::InvalidArgument("preset '" + level.id.value() + "' has no name");
  if (level.seed.empty()) return Status::InvalidArgument("preset '" + level.id.value() + "' has no seed");
  return Status::Ok();
}

}  // namespace

Result<std::vector<Level>> ParsePresets(std::string_view text) {
  std::vector<Level> levels;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    line = Trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;

    const auto [keyword, rest] = SplitWord(line);
    if (keyword == "level") {
      if (!levels.empty()) RETURN_IF_ERROR(CheckComplete(levels.back()));
      if (!ValidateId("level id", rest).ok()) return LineError(line_no, "bad level id '" + std::string(rest) + "'");
      for (const Level& l : levels) {
        if (l.id.value() == rest) return LineError(line_no, "level '" + std::string(rest) + "' defined twice");
      }
      Level level;
      level.id = LevelId(std::string(rest));
      level.preset = true;
      levels.push_back(std::move(level));
      continue;
    }
    if (levels.empty()) return LineError(line_no, "'" + std::string(keyword) + "' before any 'level'");
    Level& level = levels.back();
    if (keyword == "name") {
      level.name = std::string(rest);
    } else if (keyword == "seed") {
      level.seed = std::string(rest);
    } else if (keyword == "cap") {
      const auto [cap_name, scope_name] = SplitWord(rest);
      const auto cap = ParseCapability(cap_name);
      if (!cap) return LineError(line_no, "unknown capability '" + std::string(cap_name) + "'");
      auto scope = ResolveScope(*cap, scope_name);
      if (!scope.ok()) return LineError(line_no, scope.status().message());
      if (level.capabilities.Scopes(*cap) & Bit(*scope)) {
        return LineError(line_no, "capability '" + std::string(cap_name) + "' listed twice with the same scope");
      }
      level.capabilities.Add(*cap, *scope);
    } else {
      return LineError(line_no, "unknown statement '" + std::string(keyword) + "'");
    }
  }
  if (!levels.empty()) RETURN_IF_ERROR(CheckComplete(levels.back()));
  return levels;
}

const std::vector<Level>& Presets() {
  static const std::vector<Level> presets = [] {
    auto parsed = ParsePresets(EmbeddedPresetsText());
    if (!parsed.ok()) std::abort();  // a broken build; see the contract in presets.h
    return std::move(parsed).value();
  }();
  return presets;
}

const Level* FindPreset(std::string_view id) {
  // Every access check looks its user's level up here, so by hash rather than by comparing
  // the id with each preset's in turn.
  static const std::unordered_map<std::string_view, const Level*> by_id = [] {
    std::unordered_map<std::string_view, const Level*> map;
    for (const Level& level : Presets()) map.emplace(level.id.value(), &level);
    return map;
  }();
  const auto it = by_id.find(id);
  return it == by_id.end() ? nullptr : it->second;
}

}  // namespace portico::domain
