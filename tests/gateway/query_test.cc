#include "gateway/http/query.h"

#include <gtest/gtest.h>

namespace portico::gateway {
namespace {

TEST(QueryReaderTest, ReadsDeclaredParameters) {
  QueryReader q("/v1/audit?user_id=u%201&limit=50&from=7&type=a+b&flag=true&after=-3");
  EXPECT_EQ(q.OptionalString("user_id"), "u 1");
  EXPECT_EQ(q.OptionalInt("limit", {.min = 1, .max = 1000}), 50);
  EXPECT_EQ(q.OptionalUint("from"), 7u);
  EXPECT_EQ(q.OptionalString("type"), "a b");
  EXPECT_EQ(q.OptionalBool("flag"), true);
  EXPECT_EQ(q.OptionalInt("after"), -3);
  EXPECT_EQ(q.OptionalString("absent"), std::nullopt);
  EXPECT_FALSE(q.Finish());
}

TEST(QueryReaderTest, NoQueryIsFine) {
  QueryReader q("/v1/events");
  EXPECT_EQ(q.OptionalUint("from"), std::nullopt);
  EXPECT_FALSE(q.Finish());
}

void ExpectParamError(const char* target, const std::function<void(QueryReader&)>& read,
                      const std::string& field) {
  QueryReader q(target);
  read(q);
  auto problem = q.Finish();
  ASSERT_TRUE(problem) << target;
  EXPECT_EQ(problem->status, 400u);
  ASSERT_TRUE(problem->field) << target;
  EXPECT_EQ(*problem->field, field) << target;
}

TEST(QueryReaderTest, RejectsUnknownParameters) {
  ExpectParamError(
      "/x?from=1&lmit=2", [](QueryReader& q) { q.OptionalUint("from"); }, "lmit");
}

TEST(QueryReaderTest, ValidatesIntegers) {
  for (const char* target : {"/x?limit=abc", "/x?limit=", "/x?limit=5x", "/x?limit=0",
                             "/x?limit=1001", "/x?limit=99999999999999999999"}) {
    ExpectParamError(
        target, [](QueryReader& q) { q.OptionalInt("limit", {.min = 1, .max = 1000}); }, "limit");
  }
  ExpectParamError(
      "/x?from=-1", [](QueryReader& q) { q.OptionalUint("from"); }, "from");
}

TEST(QueryReaderTest, RejectsRepeatsBadEnumsAndMissingRequired) {
  ExpectParamError(
      "/x?a=1&a=2", [](QueryReader& q) { q.OptionalString("a"); }, "a");
  ExpectParamError(
      "/x?t=z",
      [](QueryReader& q) {
        q.OptionalEnum("t", {"x", "y"});
      },
      "t");
  ExpectParamError(
      "/x", [](QueryReader& q) { q.RequiredString("user_id"); }, "user_id");
  ExpectParamError(
      "/x?b=yes", [](QueryReader& q) { q.OptionalBool("b"); }, "b");
}

}  // namespace
}  // namespace portico::gateway
