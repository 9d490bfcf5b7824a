#include "gateway/http/query.h"
#include "gateway/http/utf8.h"

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

namespace portico::gateway {
namespace {

TEST(QueryReaderTest, EmptyPiecesOfAQueryAreNoParameters) {
  for (const char* target : {"/x?", "/x?from=3&", "/x?&from=3", "/x?from=3&&", "/x?&&"}) {
    QueryReader q(target);
    q.OptionalUint("from");
    EXPECT_FALSE(q.Finish()) << target;
  }
  QueryReader q("/x?from=3&");
  EXPECT_EQ(q.OptionalUint("from"), 3u);
}

TEST(QueryReaderTest, AValueWithoutANameIsAClearError) {
  QueryReader q("/x?=5");
  auto problem = q.Finish();
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->status, 400u);
  EXPECT_NE(problem->detail.find("no name"), std::string::npos) << problem->detail;
}

TEST(QueryReaderTest, RejectsNamesAndValuesThatAreNotUtf8) {
  QueryReader bad_value("/x?q=%FF");
  bad_value.OptionalString("q");
  auto problem = bad_value.Finish();
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->status, 400u);
  EXPECT_EQ(problem->field, "q");
  EXPECT_NE(problem->detail.find("not valid UTF-8"), std::string::npos) << problem->detail;

  // The name itself cannot be echoed: the problem shows it percent-encoded.
  QueryReader bad_name("/x?a%C0%AF=1");
  problem = bad_name.Finish();
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->field, "a%C0%AF");
  EXPECT_TRUE(IsValidUtf8(problem->detail));

  QueryReader fine("/x?q=caf%C3%A9+%E2%82%AC");
  EXPECT_EQ(fine.OptionalString("q"), "café €");
  EXPECT_FALSE(fine.Finish());
}

TEST(Utf8Test, AcceptsWellFormedAndRejectsMalformedSequences) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));  // é € 😀
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
}

}  // namespace
}  // namespace portico::gateway
