#include "gateway/http/json_body.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace portico::gateway {
namespace {

using testing::MakeRequest;

boost::json::object Parse(std::string_view text) {
  auto value = ParseJson(text, 1 << 20);
  EXPECT_TRUE(value.ok());
  return value->as_object();
}

// The problem of reading `text` with `read`, which must fail naming `field`.
void ExpectFieldError(std::string_view text, const std::function<void(ObjectReader&)>& read,
                      const std::string& field) {
  auto object = Parse(text);
  ObjectReader reader(object);
  read(reader);
  auto problem = reader.Finish();
  ASSERT_TRUE(problem) << text;
  EXPECT_EQ(problem->status, 400u) << text;
  ASSERT_TRUE(problem->field) << text;
  EXPECT_EQ(*problem->field, field) << text << ": " << problem->detail;
}

TEST(ParseJsonTest, RequiresJsonContentType) {
  auto missing = ParseJsonObject(MakeRequest(Verb::post, "/x", "{}", "text/plain"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.problem().status, 415u);
  EXPECT_TRUE(
      ParseJsonObject(MakeRequest(Verb::post, "/x", "{}", "Application/JSON; charset=utf-8")).ok());
  EXPECT_FALSE(ParseJsonObject(MakeRequest(Verb::post, "/x", "{}", "application/jsonx")).ok());
}

TEST(ParseJsonTest, MalformedJsonNamesTheOffset) {
  auto result = ParseJsonObject(MakeRequest(Verb::post, "/x", R"({"a": tru})"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.problem().status, 400u);
  EXPECT_EQ(result.problem().detail.rfind("malformed JSON at offset 6", 0), 0u)
      << result.problem().detail;

  auto trailing = ParseJson(R"({"a": 1} x)", 100);
  ASSERT_FALSE(trailing.ok());
  EXPECT_NE(trailing.problem().detail.find("malformed JSON at offset"), std::string::npos);

  auto truncated = ParseJson(R"({"a": )", 100);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.problem().status, 400u);

  auto bad_utf8 = ParseJson("\"\xff\"", 100);
  EXPECT_FALSE(bad_utf8.ok());
}

TEST(ParseJsonTest, SizeLimitAndObjectOnly) {
  auto large = ParseJson(R"({"a": "0123456789"})", 10);
  ASSERT_FALSE(large.ok());
  EXPECT_EQ(large.problem().status, 413u);

  auto array = ParseJsonObject(MakeRequest(Verb::post, "/x", "[1]"));
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.problem().status, 400u);
}

TEST(ObjectReaderTest, ReadsEveryKindOfField) {
  auto object = Parse(R"({"org_id":"acme","enabled":true,"limit":5,"kind":"client",
                          "levels":["a","b"],"parent":null,
                          "capabilities":[{"capability":"tasks.create"},
                                          {"capability":"tasks.view.current","scope":"org"}]})");
  ObjectReader r(object);
  EXPECT_EQ(r.RequiredString("org_id", {.max_length = 64}), "acme");
  EXPECT_EQ(r.RequiredBool("enabled"), true);
  EXPECT_EQ(r.RequiredInt("limit", {.min = 1, .max = 10}), 5);
  EXPECT_EQ(r.RequiredEnum("kind", {"client", "contractor"}), "client");
  EXPECT_EQ(r.RequiredStringArray("levels"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.OptionalString("parent"), std::nullopt);  // null is absent
  EXPECT_EQ(r.OptionalBool("absent"), std::nullopt);
  EXPECT_EQ(r.OptionalInt("absent"), std::nullopt);
  std::vector<std::pair<std::string, std::optional<std::string>>> caps;
  EXPECT_EQ(r.ObjectArray("capabilities", true, 10,
                          [&](ObjectReader& item) {
                            auto capability = item.RequiredString("capability");
                            auto scope = item.OptionalEnum("scope", {"org", "org_tree"});
                            caps.emplace_back(capability, scope);
                          }),
            2u);
  EXPECT_FALSE(r.Finish());
  ASSERT_EQ(caps.size(), 2u);
  EXPECT_EQ(caps[1].second, "org");
}

TEST(ObjectReaderTest, RejectsUnknownFields) {
  ExpectFieldError(R"({"name":"x","nmae":"y"})", [](ObjectReader& r) { r.RequiredString("name"); },
                   "nmae");
}

TEST(ObjectReaderTest, RejectsMissingRequiredFields) {
  ExpectFieldError(R"({})", [](ObjectReader& r) { r.RequiredString("name"); }, "name");
  ExpectFieldError(R"({"name":null})", [](ObjectReader& r) { r.RequiredString("name"); }, "name");
}

TEST(ObjectReaderTest, RejectsWrongTypes) {
  ExpectFieldError(R"({"name":5})", [](ObjectReader& r) { r.RequiredString("name"); }, "name");
  ExpectFieldError(R"({"on":"true"})", [](ObjectReader& r) { r.OptionalBool("on"); }, "on");
  ExpectFieldError(R"({"n":1.5})", [](ObjectReader& r) { r.RequiredInt("n"); }, "n");
  ExpectFieldError(R"({"n":"1"})", [](ObjectReader& r) { r.RequiredInt("n"); }, "n");
  ExpectFieldError(R"({"l":"a"})", [](ObjectReader& r) { r.RequiredStringArray("l"); }, "l");
  ExpectFieldError(R"({"l":["a",2]})", [](ObjectReader& r) { r.RequiredStringArray("l"); }, "l[1]");
}

TEST(ObjectReaderTest, RejectsValuesOutOfBounds) {
  ExpectFieldError(R"({"name":"abcdef"})",
                   [](ObjectReader& r) { r.RequiredString("name", {.max_length = 5}); }, "name");
  ExpectFieldError(R"({"name":""})",
                   [](ObjectReader& r) { r.RequiredString("name", {.min_length = 1}); }, "name");
  ExpectFieldError(R"({"n":11})",
                   [](ObjectReader& r) { r.RequiredInt("n", {.min = 0, .max = 10}); }, "n");
  ExpectFieldError(R"({"n":18446744073709551615})", [](ObjectReader& r) { r.RequiredInt("n"); },
                   "n");
  ExpectFieldError(R"({"kind":"other"})",
                   [](ObjectReader& r) {
                     r.RequiredEnum("kind", {"client", "contractor"});
                   },
                   "kind");
  ExpectFieldError(R"({"l":["a","b","c"]})",
                   [](ObjectReader& r) { r.RequiredStringArray("l", {.max_items = 2}); }, "l");
}

TEST(ObjectReaderTest, CountsCodePointsNotBytes) {
  auto object = Parse(R"({"name":"ÅÄÖ"})");  // 6 bytes, 3 code points
  ObjectReader r(object);
  EXPECT_EQ(r.RequiredString("name", {.max_length = 3}), "ÅÄÖ");
  EXPECT_FALSE(r.Finish());
}

TEST(ObjectReaderTest, NamesNestedFields) {
  auto read = [](ObjectReader& r) {
    r.ObjectArray("capabilities", true, 10, [](ObjectReader& item) {
      item.RequiredString("capability");
      item.OptionalEnum("scope", {"org"});
    });
  };
  ExpectFieldError(R"({"capabilities":[{"capability":"a"},{"capability":"b","scope":"x"}]})", read,
                   "capabilities[1].scope");
  ExpectFieldError(R"({"capabilities":[{"capability":"a","extra":1}]})", read,
                   "capabilities[0].extra");
  ExpectFieldError(R"({"capabilities":[3]})", read, "capabilities[0]");
}

TEST(ObjectReaderTest, FirstErrorWins) {
  auto object = Parse(R"({"a":1,"b":2})");
  ObjectReader r(object);
  r.RequiredString("a");
  r.RequiredString("b");
  auto problem = r.Finish();
  ASSERT_TRUE(problem);
  EXPECT_EQ(*problem->field, "a");
}

}  // namespace
}  // namespace portico::gateway
