// The CSV parser of POST /v1/imports (gateway/app/import_csv.h), on its own.
#include "gateway/app/import_csv.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <string>

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

// Old Mac "CSV" files end lines with CR alone: a quoting error spoils its own row, not the
// rows after it.
TEST(ImportCsvTest, AQuotingErrorInACarriageReturnFileSpoilsOnlyItsRow) {
  const auto p = Parse("username,email,display_name,level\r"
                       "bad\"x,b@example.com,B,client-base\r"
                       "ok,ok@example.com,Ok,client-base\r"
                       "\"c\"x,c@example.com,C,client-base\r\n"
                       "also,also@example.com,Also,client-base\r");
  EXPECT_EQ(p.rows_total, 4u);
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[0].row, 2u);
  EXPECT_EQ(p.rows[0].username, "ok");
  EXPECT_EQ(p.rows[1].row, 4u);
  EXPECT_EQ(p.rows[1].username, "also");
  ASSERT_EQ(p.rejected.size(), 2u);
  EXPECT_EQ(p.rejected[0].row, 1u);
  EXPECT_EQ(p.rejected[0].reason, "quoting_error");
  EXPECT_EQ(p.rejected[1].row, 3u);
  EXPECT_EQ(p.rejected[1].reason, "quoting_error");
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

std::string RefusalOf(std::string_view csv) {
  auto parsed = ParseImportCsv(csv, "imp", false);
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? "" : parsed.problem().detail;
}

TEST(ImportCsvTest, AFileThatIsNotUtf8IsRefusedNamingTheLine) {
  const std::string header = "username,email,display_name,level\r\n";
  const std::string bad_row = RefusalOf("\xEF\xBB\xBF" + header + "zoe,zoe@example.com,Zo\xC3\xAB,client-base\r\n" +
                                        "\xff\xfe,a@x.io,A,client-base\n");
  EXPECT_NE(bad_row.find("line 3"), std::string::npos) << bad_row;
  EXPECT_EQ(bad_row.find('\xff'), std::string::npos) << "the bytes are not echoed";
  const std::string bad_header = RefusalOf("username,email,display_name,level,\xC3\n");
  EXPECT_NE(bad_header.find("line 1"), std::string::npos) << bad_header;
  EXPECT_EQ(bad_header.find('\xC3'), std::string::npos) << "the bytes are not echoed";
  // An overlong form and a lone surrogate are not UTF-8 either.
  EXPECT_NE(RefusalOf(header + "a,a@x.io,\xC0\xAF,client-base\n").find("line 2"), std::string::npos);
  EXPECT_NE(RefusalOf(header + "\n\na,a@x.io,\xED\xA0\x80,client-base\n").find("line 4"), std::string::npos);
  // Characters beyond ASCII, written as UTF-8, are welcome.
  EXPECT_EQ(Parse(header + "zoe,zoe@example.com,Zo\xC3\xAB \xE2\x82\xAC \xF0\x9F\x98\x80,client-base\n").rows.size(), 1u);
}

// The peak resident memory of this process, in bytes.
std::size_t PeakResidentBytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::size_t>(usage.ru_maxrss) * 1024;
}

// A record is split only as far as the header reaches; its other fields are counted, not
// kept. Before, 64 MiB of commas became 64 million strings (gigabytes) before the row was
// found to have too many fields.
TEST(ImportCsvTest, ARowOfMillionsOfFieldsIsRejectedWithoutKeepingThem) {
  const std::string commas(std::size_t{64} << 20, ',');
  const std::string row_csv = "username,email,display_name,level\n" + commas + "\n";
  const std::size_t peak_before = PeakResidentBytes();

  const auto p = Parse(row_csv);
  EXPECT_EQ(p.rows_total, 1u);
  EXPECT_TRUE(p.rows.empty());
  ASSERT_EQ(p.rejected.size(), 1u);
  EXPECT_EQ(p.rejected[0].reason, "extra_column");
  EXPECT_EQ(p.rejected[0].detail, "the row has " + std::to_string(commas.size() + 1) + " fields, the header 4");

  // A header of commas: its first column has no name.
  EXPECT_EQ(RefusalOf(commas), "unknown column '' in the header row");

  EXPECT_LT(PeakResidentBytes() - peak_before, std::size_t{256} << 20) << "the fields were kept";
}

}  // namespace
}  // namespace portico::gateway
