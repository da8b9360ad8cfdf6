#include "client/arrival_schedule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace glet::client {
namespace {

using ::testing::HasSubstr;

Stream Constant(const std::string& model, double rate, ArrivalDist dist) {
  Stream s;
  s.model = model;
  s.rate_rps = rate;
  s.dist = dist;
  s.source = "--model " + model;
  return s;
}

Stream Traced(const std::string& model, const std::string& csv, ArrivalDist dist) {
  Stream s;
  s.model = model;
  s.dist = dist;
  s.has_trace = true;
  s.trace = *RateTrace::Parse(csv, "t.csv");
  return s;
}

ScheduleLimits For(double duration_s, int64_t max_requests = -1) {
  ScheduleLimits l;
  l.duration_s = duration_s;
  l.max_requests = max_requests;
  return l;
}

TEST(ArrivalScheduleTest, UniformIsExact) {
  ClientWorkload w{{Constant("a", 4, ArrivalDist::kUniform)}};
  auto s = MakeArrivalSchedule(w, 1, For(2));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->size(), 8u);
  for (size_t i = 0; i < s->size(); ++i) {
    EXPECT_DOUBLE_EQ((*s)[i].offset_s, 0.25 * static_cast<double>(i));
    EXPECT_EQ((*s)[i].stream, 0);
  }
}

TEST(ArrivalScheduleTest, MergesStreamsInTimeOrderWithStreamTieBreak) {
  ClientWorkload w{
      {Constant("a", 2, ArrivalDist::kUniform), Constant("b", 4, ArrivalDist::kUniform)}};
  auto s = MakeArrivalSchedule(w, 1, For(1));
  ASSERT_TRUE(s.ok());
  const std::vector<Arrival> expected = {{0, 0}, {0, 1}, {0.25, 1}, {0.5, 0}, {0.5, 1}, {0.75, 1}};
  EXPECT_EQ(*s, expected);
}

TEST(ArrivalScheduleTest, PoissonIsDeterministicInSeedAndSorted) {
  ClientWorkload w{
      {Constant("a", 100, ArrivalDist::kPoisson), Constant("b", 50, ArrivalDist::kPoisson)}};
  auto s1 = MakeArrivalSchedule(w, 42, For(10));
  auto s2 = MakeArrivalSchedule(w, 42, For(10));
  auto s3 = MakeArrivalSchedule(w, 43, For(10));
  ASSERT_TRUE(s1.ok() && s2.ok() && s3.ok());
  EXPECT_EQ(*s1, *s2);
  EXPECT_NE(*s1, *s3);
  EXPECT_TRUE(std::is_sorted(s1->begin(), s1->end(), [](const Arrival& x, const Arrival& y) {
    return x.offset_s < y.offset_s;
  }));
  for (const Arrival& a : *s1) {
    EXPECT_GE(a.offset_s, 0);
    EXPECT_LT(a.offset_s, 10);
  }
}

TEST(ArrivalScheduleTest, PoissonMeanRateAndGapSpread) {
  ClientWorkload w{{Constant("a", 1000, ArrivalDist::kPoisson)}};
  auto s = MakeArrivalSchedule(w, 7, For(200));  // ~200k arrivals
  ASSERT_TRUE(s.ok());
  const double n = static_cast<double>(s->size());
  // Count ~ Poisson(200000): sd ~ 447; allow 5 sd.
  EXPECT_NEAR(n, 200000, 2250);
  // Exponential gaps: coefficient of variation 1.
  double sum = 0;
  double sum_sq = 0;
  for (size_t i = 1; i < s->size(); ++i) {
    const double g = (*s)[i].offset_s - (*s)[i - 1].offset_s;
    sum += g;
    sum_sq += g * g;
  }
  const double mean = sum / (n - 1);
  const double var = sum_sq / (n - 1) - mean * mean;
  EXPECT_NEAR(mean, 0.001, 0.00002);
  EXPECT_NEAR(std::sqrt(var) / mean, 1.0, 0.02);
}

TEST(ArrivalScheduleTest, StreamsGetIndependentSequences) {
  ClientWorkload w{
      {Constant("a", 10, ArrivalDist::kPoisson), Constant("b", 10, ArrivalDist::kPoisson)}};
  auto s = MakeArrivalSchedule(w, 3, For(100));
  ASSERT_TRUE(s.ok());
  std::vector<double> a;
  std::vector<double> b;
  for (const Arrival& x : *s) {
    (x.stream == 0 ? a : b).push_back(x.offset_s);
  }
  EXPECT_NE(a, b);
  EXPECT_NEAR(static_cast<double>(a.size()), 1000, 160);
  EXPECT_NEAR(static_cast<double>(b.size()), 1000, 160);
}

TEST(ArrivalScheduleTest, MaxRequestsTakesTheFirstN) {
  ClientWorkload w{
      {Constant("a", 100, ArrivalDist::kPoisson), Constant("b", 100, ArrivalDist::kPoisson)}};
  auto full = MakeArrivalSchedule(w, 5, For(10));
  auto capped = MakeArrivalSchedule(w, 5, For(10, 37));
  ASSERT_TRUE(full.ok() && capped.ok());
  ASSERT_EQ(capped->size(), 37u);
  EXPECT_TRUE(std::equal(capped->begin(), capped->end(), full->begin()));
  // No duration: the cap alone bounds the schedule.
  auto no_duration = MakeArrivalSchedule(w, 5, For(std::numeric_limits<double>::infinity(), 37));
  ASSERT_TRUE(no_duration.ok());
  EXPECT_EQ(*no_duration, *capped);
  auto zero = MakeArrivalSchedule(w, 5, For(10, 0));
  ASSERT_TRUE(zero.ok());
  EXPECT_TRUE(zero->empty());
}

TEST(ArrivalScheduleTest, UniformTraceFollowsPiecewiseRates) {
  // 2 rps in second 0, nothing in 1, 4 rps in second 2.
  ClientWorkload w{{Traced("a", "0,2\n1,0\n2,4\n", ArrivalDist::kUniform)}};
  auto s = MakeArrivalSchedule(w, 1, ScheduleLimits{});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<double> t;
  for (const Arrival& a : *s) {
    t.push_back(a.offset_s);
  }
  EXPECT_THAT(t, ::testing::ElementsAre(0, 0.5, 2, 2.25, 2.5, 2.75));
}

TEST(ArrivalScheduleTest, PoissonTracePerSecondCounts) {
  // 10 seconds at 500 rps then 10 at 2000 rps.
  std::string csv = "second,rps\n";
  for (int i = 0; i < 20; ++i) {
    csv += std::to_string(i) + "," + (i < 10 ? "500" : "2000") + "\n";
  }
  ClientWorkload w{{Traced("a", csv, ArrivalDist::kPoisson)}};
  auto s = MakeArrivalSchedule(w, 11, ScheduleLimits{});
  ASSERT_TRUE(s.ok());
  int64_t low = 0;
  int64_t high = 0;
  for (const Arrival& a : *s) {
    ASSERT_LT(a.offset_s, 20);
    (a.offset_s < 10 ? low : high) += 1;
  }
  EXPECT_NEAR(static_cast<double>(low), 5000, 5 * 71);
  EXPECT_NEAR(static_cast<double>(high), 20000, 5 * 142);
}

TEST(ArrivalScheduleTest, DurationCutsATrace) {
  ClientWorkload w{{Traced("a", "0,4\n1,4\n2,4\n", ArrivalDist::kUniform)}};
  auto s = MakeArrivalSchedule(w, 1, For(1.5));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->size(), 6u);  // 0, .25, ..., 1.25
}

TEST(ArrivalScheduleTest, ZeroRateStreamIsEmpty) {
  ClientWorkload w{{Constant("a", 0, ArrivalDist::kPoisson)}};
  auto s = MakeArrivalSchedule(w, 1, ScheduleLimits{});
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->empty());
}

TEST(ArrivalScheduleTest, RefusesUnboundedOrHugeSchedules) {
  ClientWorkload w{{Constant("a", 10, ArrivalDist::kPoisson)}};
  auto unbounded = MakeArrivalSchedule(w, 1, ScheduleLimits{});
  ASSERT_FALSE(unbounded.ok());
  EXPECT_EQ(unbounded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(unbounded.status().message(), HasSubstr("--model a: a constant-rate stream needs"));

  ScheduleLimits small = For(100);
  small.max_schedule = 500;
  auto huge = MakeArrivalSchedule(w, 1, small);
  ASSERT_FALSE(huge.ok());
  EXPECT_THAT(huge.status().message(), HasSubstr("about 1000 requests expected"));

  auto bad_duration = MakeArrivalSchedule(w, 1, For(0));
  ASSERT_FALSE(bad_duration.ok());
  EXPECT_THAT(bad_duration.status().message(), HasSubstr("--duration: must be > 0"));
}

}  // namespace
}  // namespace glet::client
