// The presets are data (domain/presets.txt) embedded at build time.
#include <gtest/gtest.h>

#include <set>

#include "domain/presets.h"

namespace portico::domain {
namespace {

TEST(Presets, EmbeddedTextParses) {
  auto parsed = ParsePresets(EmbeddedPresetsText());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->size(), Presets().size());
}

TEST(Presets, TheEightPresetsEachNameTheirSeed) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"client-manager", "000"},  {"client-base", "000"},     {"contractor-manager", "001"},
      {"contractor-base", "001"}, {"client-self-service", "002"}, {"portal-basic", "003"},
      {"portal-advanced", "003"}, {"portal-manager", "003"},
  };
  std::set<std::string> ids;
  for (const Level& level : Presets()) ids.insert(level.id.value());
  EXPECT_EQ(ids.size(), expected.size());
  for (const auto& [id, seed] : expected) {
    const Level* level = FindPreset(id);
    ASSERT_NE(level, nullptr) << id;
    EXPECT_TRUE(level->preset);
    EXPECT_EQ(level->seed.substr(0, 3), seed) << id;
    EXPECT_FALSE(level->name.empty());
    EXPECT_FALSE(level->capabilities.empty()) << id;
  }
  EXPECT_EQ(FindPreset("custom"), nullptr);
}

TEST(Presets, ParseErrorsNameTheLine) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"cap tasks.create\n", "presets line 1: 'cap' before any 'level'"},
      {"level a\nname A\nseed x\ncap tasks.fly\n", "presets line 4: unknown capability 'tasks.fly'"},
      {"level a\nname A\nseed x\ncap quotes.view contact\n",
       "presets line 4: scope 'contact' is not allowed for capability 'quotes.view' (allowed: org, org_tree)"},
      {"level a\nname A\nseed x\ncap quotes.view\ncap quotes.view org\n",
       "presets line 5: capability 'quotes.view' listed twice with the same scope"},
      {"level a\nname A\nseed x\nlevel a\n", "presets line 4: level 'a' defined twice"},
      {"level a\nseed x\n", "preset 'a' has no name"},
      {"level a\nname A\n", "preset 'a' has no seed"},
      {"level a b\n", "presets line 1: bad level id 'a b'"},
      {"level a\nname A\nseed x\ncolour blue\n", "presets line 4: unknown statement 'colour'"},
  };
  for (const Case& c : cases) {
    auto parsed = ParsePresets(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.status().message(), c.message);
  }
}

TEST(Presets, CommentsAndSeveralScopes) {
  auto parsed = ParsePresets(
      "# a comment\n"
      "level x   # trailing\n"
      "name Some name\n"
      "seed 001 a chart\n"
      "cap tasks.view.current assigned_business\n"
      "cap tasks.view.current assigned\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 1u);
  const Level& level = parsed->front();
  EXPECT_EQ(level.name, "Some name");
  EXPECT_EQ(level.capabilities.Scopes(Capability::kTasksViewCurrent),
            Bit(Scope::kAssignedBusiness) | Bit(Scope::kAssigned));
}

}  // namespace
}  // namespace portico::domain
