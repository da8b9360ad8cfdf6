#include "core/csv.h"

#include <gtest/gtest.h>

namespace glet {
namespace {

TEST(CsvTableTest, ParsesHeaderRowsAndSkipsCommentsAndBlanks) {
  auto t = CsvTable::Parse("a,b\n# note\n\n1,2\n3,4,\n", "x.csv", true);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->rows().size(), 2u);
  EXPECT_EQ(t->rows()[1].line, 5);
  EXPECT_EQ(*t->Double(t->rows()[1], 1), 4.0);
}

TEST(CsvTableTest, BadCellNamesFileLineAndColumn) {
  auto t = CsvTable::Parse("model,rate\nres,abc\n", "r.csv", true);
  ASSERT_TRUE(t.ok());
  auto v = t->Double(t->rows()[0], 1);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message(), "r.csv:2: column 'rate': expected a number (got 'abc')");
}

TEST(CsvTableTest, WrongCellCountIsAnError) {
  auto t = CsvTable::Parse("a,b\n1\n", "x.csv", true);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("x.csv:2: expected 2 cells"), std::string::npos);
}

}  // namespace
}  // namespace glet
