// The CSV parser of POST /v1/imports (gateway/app/import_csv.h), on its own.
#include "gateway/app/import_csv.h"

#include <gtest/gtest.h>

namespace portico::gateway {
namespace {

ParsedImport Parse(std::string_view csv) {
  auto parsed = ParseImportCsv(csv, "imp_x", false);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.problem().detail);
  return parsed.ok() ? std::move(parsed).value() : ParsedImport{};
}

TEST(ImportCsvTest, ReadsColumnsInAnyOrderWithDefaults) {
  const auto p = Parse("\xEF\xBB\xBFLevel , USERNAME,email,display_name\r\nclient-base, ann ,ann@example.com,Ann\r\n");
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(p.rows[0].row, 1u);
  EXPECT_EQ(p.rows[0].username, "ann");
  EXPECT_EQ(p.rows[0].level, "client-base");
  EXPECT_EQ(p.rows[0].user_id.value(), "imp_x-1");
  EXPECT_EQ(p.rows[0].user_type, schema::UserType::Active);
  EXPECT_TRUE(p.rows[0].password_plaintext.empty());
}

TEST(ImportCsvTest, EachBrokenRowHasItsReasonAndTheRestGoOn) {
  const auto p = Parse(
      "username,email,display_name,level,user_type\n"
      "a,a@example.com,A,client-base,active\n"    // 1 ok
      "b,b@example.com,B\n"                       // 2 missing_column
      "c,c@example.com,C,client-base,active,x\n"  // 3 extra_column
      "d,d@example.com,,client-base,active\n"     // 4 missing_value
      "e\"e,e@example.com,E,client-base,active\n" // 5 quoting_error
      "\"f\"x,f@example.com,F,client-base,active\n"  // 6 quoting_error
      "g,g@example.com,G,client-base,boss\n"      // 7 bad_user_type
      "\n"
      "h,h@example.com," + std::string(201, 'h') + ",client-base,\n"  // 8 field_too_long
      "i,i@example.com,I,client-base,passive\n");  // 9 ok
  EXPECT_EQ(p.rows_total, 9u);
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[1].row, 9u);
  EXPECT_EQ(p.rows[1].user_type, schema::UserType::Passive);
  const std::vector<std::pair<unsigned, std::string>> want = {
      {2, "missing_column"}, {3, "extra_column"},  {4, "missing_value"}, {5, "quoting_error"},
      {6, "quoting_error"},  {7, "bad_user_type"}, {8, "field_too_long"}};
  ASSERT_EQ(p.rejected.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(p.rejected[i].row, want[i].first);
    EXPECT_EQ(p.rejected[i].reason, want[i].second) << "row " << want[i].first;
  }
}

TEST(ImportCsvTest, AnUnclosedQuoteSpoilsTheRestOfTheFileOnly) {
  const auto p = Parse("username,email,display_name,level\nok,ok@example.com,Ok,l\n\"open,x,y,z\nmore,m,M,l\n");
  EXPECT_EQ(p.rows.size(), 1u);
  ASSERT_EQ(p.rejected.size(), 1u);
  EXPECT_EQ(p.rejected[0].reason, "quoting_error");
}

TEST(ImportCsvTest, ABadHeaderRefusesTheFile) {
  EXPECT_FALSE(ParseImportCsv("", "imp", false).ok());
  EXPECT_FALSE(ParseImportCsv("username,email,display_name\n", "imp", false).ok());
  EXPECT_FALSE(ParseImportCsv("username,email,display_name,level,level\n", "imp", false).ok());
  EXPECT_FALSE(ParseImportCsv("username,email,display_name,level,age\n", "imp", false).ok());
  EXPECT_TRUE(ParseImportCsv("username,email,display_name,level\n", "imp", false).ok());
}

TEST(ImportCsvTest, ContractorOrganisationsDefaultToContractorUsers) {
  auto p = ParseImportCsv("username,email,display_name,level\nc,c@example.com,C,contractor-base\n", "imp", true);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->rows.size(), 1u);
  EXPECT_EQ(p->rows[0].user_type, schema::UserType::Contractor);
}

}  // namespace
}  // namespace portico::gateway
