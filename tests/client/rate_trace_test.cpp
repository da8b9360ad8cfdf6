#include "client/rate_trace.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "testing/test_util.h"

namespace glet::client {
namespace {

using ::testing::HasSubstr;

TEST(RateTraceTest, ParsesWithAndWithoutHeader) {
  auto a = RateTrace::Parse("second,rps\n0,10\n1,20\n3,0\n", "t.csv");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = RateTrace::Parse("0,10\n1,20\n3,0\n", "t.csv");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(a->points().size(), 3u);
  EXPECT_EQ(b->points().size(), 3u);
  EXPECT_DOUBLE_EQ(a->end_s(), 4);
  EXPECT_DOUBLE_EQ(a->RateAt(0.5), 10);
  EXPECT_DOUBLE_EQ(a->RateAt(2.5), 20);  // the rate holds across the gap 1..3
  EXPECT_DOUBLE_EQ(a->RateAt(3.5), 0);
  EXPECT_DOUBLE_EQ(a->RateAt(4), 0);
}

TEST(RateTraceTest, CumulativeIntegratesPieces) {
  auto t = RateTrace::Parse("1,10\n2,30\n", "t.csv");
  ASSERT_TRUE(t.ok());
  EXPECT_DOUBLE_EQ(t->Cumulative(1), 0);  // rate 0 before the first row
  EXPECT_DOUBLE_EQ(t->Cumulative(1.5), 5);
  EXPECT_DOUBLE_EQ(t->Cumulative(2.5), 25);
  EXPECT_DOUBLE_EQ(t->Cumulative(10), 40);
  EXPECT_DOUBLE_EQ(t->Total(), 40);
  EXPECT_DOUBLE_EQ(t->InverseCumulative(5), 1.5);
  EXPECT_DOUBLE_EQ(t->InverseCumulative(25), 2.5);
  EXPECT_TRUE(std::isinf(t->InverseCumulative(41)));
}

TEST(RateTraceTest, ConstantTrace) {
  RateTrace t = RateTrace::Constant(4, 2);
  EXPECT_DOUBLE_EQ(t.Total(), 8);
  EXPECT_DOUBLE_EQ(t.InverseCumulative(2), 0.5);
}

struct BadTrace {
  const char* text;
  const char* message;
};

class RateTraceErrorTest : public ::testing::TestWithParam<BadTrace> {};

TEST_P(RateTraceErrorTest, NamesFileAndLine) {
  auto t = RateTrace::Parse(GetParam().text, "trace.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RateTraceErrorTest,
    ::testing::Values(BadTrace{"0,10\n0,20\n", "trace.csv:2: second: must be greater"},
                      BadTrace{"2,10\n1,20\n", "trace.csv:2: second: must be greater"},
                      BadTrace{"0,10\n1,-5\n", "trace.csv:2: rps: must be a finite number >= 0"},
                      BadTrace{"0,10\n1,abc\n", "trace.csv:2: rps: expected a number"},
                      BadTrace{"0,10\n1.5,3\n", "trace.csv:2: second: expected an integer"},
                      BadTrace{"-1,10\n", "trace.csv:1: second: must be >= 0"},
                      BadTrace{"0,10,3\n", "trace.csv:1: expected 2 cells"},
                      BadTrace{"time,rate\n0,1\n", "trace.csv:1: expected the header 'second,rps'"},
                      BadTrace{"# nothing\n", "trace.csv: no rows"}));

TEST(RateTraceTest, MissingFileNamesPath) {
  auto t = RateTrace::Load("/nonexistent/trace.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("/nonexistent/trace.csv"));
}

}  // namespace
}  // namespace glet::client
