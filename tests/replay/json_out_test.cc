// JsonWriter (replay/json_out.h): what the answers are written with, token by token. Compact
// output must be byte for byte boost::json::serialize's (tools compare digests and lines of
// it); pretty output the documented two-space form; strings from the log escaped correctly.
#include <random>
#include <sstream>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "replay/json_out.h"

namespace portico::replay {
namespace {

namespace json = boost::json;

std::string Written(const json::value& v, bool pretty) {
  std::ostringstream out;
  WriteJson(out, v, pretty);
  return out.str();
}

json::value Sample() {
  return json::value{
      {"position", 18446744073709551615ULL},
      {"at_us", -1795366178719139LL},
      {"name", "Smith & \"Sons\"\\ \x01\x1f\x7f caf\xc3\xa9 \t\n\r\b\f/"},
      {"empty_object", json::object{}},
      {"empty_array", json::array{}},
      {"list", json::array{1, true, nullptr, "x", json::object{{"a", json::array{json::object{}}}}, 2.5}},
      {"ok", false}};
}

TEST(JsonWriterTest, CompactIsBoostSerializeByteForByte) {
  const json::value v = Sample();
  EXPECT_EQ(Written(v, false), json::serialize(v) + "\n");
}

TEST(JsonWriterTest, EveryByteOfAStringIsEscapedAsBoostDoes) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::string s;
    const int n = static_cast<int>(rng() % 40);
    for (int k = 0; k < n; ++k) s += all[rng() % all.size()];
    all += s;
    std::string text;
    {
      JsonWriter writer(text, false);
      writer.Value(s);
    }
    ASSERT_EQ(text, json::serialize(json::value(s))) << "string " << i;
  }
}

TEST(JsonWriterTest, PrettyIndentsTwoSpacesAndKeepsEmptyContainersOnOneLine) {
  const json::value v{{"a", 1}, {"b", json::array{}}, {"c", json::array{json::object{{"d", "e"}}, 2}},
                      {"f", json::object{}}};
  EXPECT_EQ(Written(v, true),
            "{\n"
            "  \"a\": 1,\n"
            "  \"b\": [],\n"
            "  \"c\": [\n"
            "    {\n"
            "      \"d\": \"e\"\n"
            "    },\n"
            "    2\n"
            "  ],\n"
            "  \"f\": {}\n"
            "}\n");
}

TEST(JsonWriterTest, TokensWrittenByHandReadBackAsTheSameDocument) {
  for (const bool pretty : {false, true}) {
    std::ostringstream out;
    {
      JsonWriter w(out, pretty);
      w.BeginObject();
      w.Field("id", "user1");
      w.Field("count", 3);
      w.Field("big", std::uint64_t{1} << 63);
      w.TimeField("at", 1795366178719139);
      w.TimeField("never", 0, /*nullable=*/true);
      w.Key("list");
      w.BeginArray();
      for (int i = 0; i < 3; ++i) w.Value(i);
      w.EndArray();
      w.EndObject();
      w.Finish();
    }
    const json::value expected{{"id", "user1"},
                               {"count", 3},
                               {"big", std::uint64_t{1} << 63},
                               {"at", "2026-11-22T16:49:38.719139Z"},
                               {"never", nullptr},
                               {"list", json::array{0, 1, 2}}};
    EXPECT_EQ(json::parse(out.str()), expected) << out.str();
    EXPECT_EQ(out.str(), Written(expected, pretty));
  }
}

TEST(JsonWriterTest, ALargeDocumentIsWrittenWhole) {
  // Many flushes of the writer's buffer: nothing lost or repeated at the seams.
  json::array items;
  for (int i = 0; i < 20000; ++i) items.push_back(json::object{{"id", "item" + std::to_string(i)}, {"n", i}});
  const json::value v{{"items", std::move(items)}};
  EXPECT_EQ(Written(v, false), json::serialize(v) + "\n");
  EXPECT_EQ(json::parse(Written(v, true)), v);
}

}  // namespace
}  // namespace portico::replay
